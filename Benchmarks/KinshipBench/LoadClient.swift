import NIOCore
import NIOHTTP1
import NIOPosix

/// The load generator's HTTP/1.1 client: keep-alive connections on an event-loop thread of its own, one
/// request at a time on each, as Segment's libraries send. AsyncHTTPClient spent about 440 µs of CPU per
/// single `POST /v1/track` here (a fifth of the two cores at 1,000 req/s, taken from the service being
/// measured); this client writes each request from bytes made beforehand and reads every answer whole,
/// on one thread, without a task or a thread hop per request.
final class LoadClient: Sendable {
    /// A request made before the clock starts.
    struct Request: Sendable {
        let head: HTTPRequestHead
        let body: ByteBuffer

        init(post path: String, host: String, authorization: String, body: ByteBuffer) {
            var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path)
            head.headers.add(name: "Host", value: host)
            head.headers.add(name: "Authorization", value: authorization)
            head.headers.add(name: "Content-Type", value: "application/json")
            head.headers.add(name: "Content-Length", value: String(body.readableBytes))
            self.head = head
            self.body = body
        }
    }

    struct Answer: Sendable {
        let status: HTTPResponseStatus
        let body: ByteBuffer
    }

    private let threads: MultiThreadedEventLoopGroup
    private let pool: NIOLoopBound<LoadConnections>

    var loop: any EventLoop { pool.eventLoop }

    private init(threads: MultiThreadedEventLoopGroup, pool: NIOLoopBound<LoadConnections>) {
        self.threads = threads
        self.pool = pool
    }

    /// A client that opens up to `connections` connections to the service at `host`:`port`, as requests need them.
    static func make(host: String, port: Int, connections: Int) async throws -> LoadClient {
        let threads = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = threads.next()
        let pool = try await loop.submit {
            NIOLoopBound(LoadConnections(loop: loop, host: host, port: port, most: connections), eventLoop: loop)
        }.get()
        return LoadClient(threads: threads, pool: pool)
    }

    /// Runs `body` on the client's thread with its connections, until it completes the promise; a load
    /// that has not after `limit` (an answer that never came) fails instead of hanging the benchmark.
    func run<T: Sendable>(
        limit: TimeAmount = .minutes(10), _ body: @escaping @Sendable (LoadConnections, EventLoopPromise<T>) -> Void
    ) async throws -> T {
        let promise = loop.makePromise(of: T.self)
        let pool = self.pool
        loop.execute { body(pool.value, promise) }
        let expiry = loop.scheduleTask(in: limit) { promise.fail(LoadTimedOut(limit: limit)) }
        defer { expiry.cancel() }
        return try await promise.futureResult.get()
    }

    struct LoadTimedOut: Error, CustomStringConvertible {
        let limit: TimeAmount
        var description: String { "the load was not answered within \(limit.nanoseconds / 1_000_000_000) s" }
    }

    func shutdown() async {
        let pool = self.pool
        try? await loop.submit { pool.value.closeAll() }.get()
        try? await threads.shutdownGracefully()
    }
}

/// The client's connections; used on its event loop only. A request waits for a free connection when
/// every one is busy and no more may be opened.
final class LoadConnections {
    typealias Completion = (Result<LoadClient.Answer, any Error>) -> Void

    private let loop: any EventLoop
    private let bootstrap: ClientBootstrap
    private let host: String
    private let port: Int
    private let most: Int
    private var idle: [LoadConnection] = []
    private var opened = 0
    private var waiting: [(request: LoadClient.Request, completion: Completion)] = []
    private var firstWaiting = 0

    init(loop: any EventLoop, host: String, port: Int, most: Int) {
        self.loop = loop
        self.host = host
        self.port = port
        self.most = most
        bootstrap = ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(AnswerReader())
                }
            }
    }

    /// Sends `request` on a free connection (or the next one to free up); `completion` is called on the loop.
    func send(_ request: LoadClient.Request, _ completion: @escaping Completion) {
        waiting.append((request, completion))
        if let connection = idle.popLast() {
            release(connection)
        } else if opened < most {
            open()
        }
    }

    func closeAll() {
        for connection in idle { connection.channel.close(promise: nil) }
        idle = []
    }

    private func open() {
        opened += 1
        bootstrap.connect(host: host, port: port).assumeIsolated().whenComplete { result in
            switch result {
            case .success(let channel):
                do {
                    let reader = try channel.pipeline.syncOperations.handler(type: AnswerReader.self)
                    let connection = LoadConnection(channel: channel, reader: reader)
                    reader.onClose = { [unowned self] in self.closed(connection) }
                    self.release(connection)
                } catch {
                    self.opened -= 1
                    channel.close(promise: nil)
                    self.failFirstWaiting(error)
                }
            case .failure(let error):
                self.opened -= 1
                self.failFirstWaiting(error)
            }
        }
    }

    /// A connection whose answer has been read takes the next waiting request, or rests.
    private func release(_ connection: LoadConnection) {
        guard let next = takeWaiting() else {
            idle.append(connection)
            return
        }
        connection.send(next.request) { [unowned self] result in
            next.completion(result)
            if case .success = result { self.release(connection) } else { self.retryWaiting() }
        }
    }

    /// A connection the service closed (keep-alive ends) is forgotten; its request, if any, has failed.
    private func closed(_ connection: LoadConnection) {
        opened -= 1
        idle.removeAll { $0.channel === connection.channel }
    }

    private func retryWaiting() {
        if firstWaiting < waiting.count, opened < most { open() }
    }

    private func failFirstWaiting(_ error: any Error) {
        takeWaiting()?.completion(.failure(error))
    }

    private func takeWaiting() -> (request: LoadClient.Request, completion: Completion)? {
        guard firstWaiting < waiting.count else { return nil }
        let next = waiting[firstWaiting]
        firstWaiting += 1
        if firstWaiting == waiting.count {
            waiting.removeAll(keepingCapacity: true)
            firstWaiting = 0
        }
        return next
    }
}

/// One keep-alive connection and the reader of its answers.
struct LoadConnection {
    let channel: any Channel
    let reader: AnswerReader

    func send(_ request: LoadClient.Request, _ completion: @escaping LoadConnections.Completion) {
        reader.pending = completion
        channel.write(HTTPClientRequestPart.head(request.head), promise: nil)
        channel.write(HTTPClientRequestPart.body(.byteBuffer(request.body)), promise: nil)
        let written = channel.eventLoop.makePromise(of: Void.self)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: written)
        // A connection that closed before the request went out will not answer it.
        written.futureResult.assumeIsolated().whenFailure { [reader, channel] error in
            reader.fail(error)
            channel.close(promise: nil)
        }
    }
}

/// Reads each answer whole and hands it to the request waiting for it; a connection that closes or fails
/// fails that request.
final class AnswerReader: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    var pending: LoadConnections.Completion?
    var onClose: (() -> Void)?
    private var status: HTTPResponseStatus = .ok
    private var body = ByteBuffer()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = head.status
            body.clear()
        case .body(var part):
            body.writeBuffer(&part)
        case .end:
            let completion = pending
            pending = nil
            completion?(.success(LoadClient.Answer(status: status, body: body)))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        onClose?()
        onClose = nil
        fail(ChannelError.ioOnClosedChannel)
    }

    func fail(_ error: any Error) {
        let completion = pending
        pending = nil
        completion?(.failure(error))
    }
}
