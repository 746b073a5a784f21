/// Checks `condition` every `interval` until it holds or `timeout` has passed, and once more when the
/// deadline has passed; returns whether it held. For waiting on another process, or on what a task does
/// in the database, where there is nothing to be notified by.
public func poll(
    timeout: Duration, every interval: Duration = .milliseconds(50), isolation: isolated (any Actor)? = #isolation,
    _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return true }
        guard ContinuousClock.now < deadline else { return false }
        try await Task.sleep(for: interval)
    }
}
