import Foundation
import Hummingbird
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService

/// `GET /kinship.js`: the browser tracker, read once at start.
struct TrackerScriptRoute: Sendable {
    let script: Data

    func add(to router: Router<KinshipRequestContext>) {
        let script = self.script
        router.get("kinship.js") { _, _ in
            Response(
                status: .ok,
                headers: [
                    .contentType: "application/javascript; charset=utf-8",
                    // Short: a fixed tracker reaches sites within minutes, without version pinning.
                    .cacheControl: "public, max-age=300",
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: script))
            )
        }
    }
}
