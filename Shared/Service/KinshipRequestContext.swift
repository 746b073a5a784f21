import Hummingbird
import KinshipCore
import KinshipDatabase
import NIOCore

/// The request context of every Kinship router: Hummingbird's basics plus the peer address, which
/// ingestion needs for the client IP.
public struct KinshipRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
