/// Why a child process did not do what its caller waited for: it exited, or it did not answer or end in
/// time. The description names the process and ends with the last lines of its output.
public struct ChildProcessError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
