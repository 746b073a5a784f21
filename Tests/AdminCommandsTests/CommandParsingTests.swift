import KinshipCore
import Testing
@testable import AdminCommands

struct CommandParsingTests {
    @Test func keysCreateParsesRolesAndRefusesUnknownOnes() throws {
        let command = try KinshipCommand.parseAsRoot(["keys", "create", "--workspace", "demo", "--role", "analyst"])
        let create = try #require(command as? KeysCommand.Create)
        #expect(create.workspace == "demo" && create.role == .analyst && create.name == "default")
        #expect(throws: (any Error).self) { try KinshipCommand.parseAsRoot(["keys", "create", "--workspace", "demo", "--role", "root"]) }
        #expect(throws: (any Error).self) { try KinshipCommand.parseAsRoot(["sources", "create", "--name", "web"]) }
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
