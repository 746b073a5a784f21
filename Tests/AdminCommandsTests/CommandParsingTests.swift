import Foundation
import KinshipCore
import KinshipDatabase
import Testing
@testable import AdminCommands

struct CommandParsingTests {
    @Test func keysCreateParsesRolesAndRefusesUnknownOnes() throws {
        let command = try KinshipCommand.parseAsRoot(["keys", "create", "--workspace", "demo", "--role", "analyst"])
        let create = try #require(command as? KeysCommand.Create)
        #expect(create.workspace.reference == .name("demo") && create.role == .analyst && create.name == "default")
        #expect(throws: (any Error).self) { try KinshipCommand.parseAsRoot(["keys", "create", "--workspace", "demo", "--role", "root"]) }
        #expect(throws: (any Error).self) { try KinshipCommand.parseAsRoot(["sources", "create", "--name", "web"]) }
    }

    @Test func everyWorkspaceOptionTakesANameOrAnID() throws {
        let id = UUID()
        for arguments in [
            ["profiles", "show", "--email", "a@example.com"], ["profiles", "unmerge", "p", "--event", "m"], ["rules", "show"],
            ["rules", "set", "rules.json"], ["rules", "dry-run", "rules.json"], ["sources", "list"], ["sources", "rotate", "--name", "web"],
            ["sources", "create", "--name", "web", "--kind", "server"], ["keys", "list"], ["keys", "revoke", "--name", "ops"],
            ["keys", "create", "--role", "admin"],
        ] {
            for (given, reference) in [("demo", WorkspaceReference.name("demo")), (id.uuidString, .id(id)), (id.uuidString.lowercased(), .id(id))] {
                let command = try KinshipCommand.parseAsRoot(arguments + ["--workspace", given])
                #expect(workspaceOption(in: command)?.reference == reference, "\(arguments) --workspace \(given)")
            }
        }
    }

    /// The `--workspace` a parsed command holds, in whichever of its option groups.
    func workspaceOption(in value: Any) -> WorkspaceOption? {
        if let option = value as? WorkspaceOption { return option }
        return Mirror(reflecting: value).children.lazy.compactMap { workspaceOption(in: $0.value) }.first
    }

    @Test func tableAlignsColumns() {
        let table = TextTable(header: ["NAME", "ID"], rows: [["demo", "1"], ["a-longer-name", "22"]])
        #expect(table.rendered == """
        NAME           ID
        demo           1
        a-longer-name  22
        """)
    }
}
