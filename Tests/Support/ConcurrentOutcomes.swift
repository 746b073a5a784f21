import KinshipCore

/// The error code a call ends with: nil when it succeeds, `internal_error` for an error that is not a
/// `KinshipError`.
public func errorCode(of body: () async throws -> Void) async -> ErrorCode? {
    do {
        try await body()
        return nil
    } catch let error as KinshipError {
        return error.code
    } catch {
        return .internalError
    }
}

/// What `count` calls of `body` (given 0..<count) answer when they all run at once, in the order they ended.
public func concurrently<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) async -> T) async -> [T] {
    await withTaskGroup(of: T.self) { group in
        for index in 0..<count { group.addTask { await body(index) } }
        return await group.reduce(into: [T]()) { $0.append($1) }
    }
}
