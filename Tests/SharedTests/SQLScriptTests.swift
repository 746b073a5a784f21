import Testing
@testable import KinshipCore
@testable import KinshipPrivacy
@testable import KinshipDatabase
@testable import KinshipOutbox
@testable import KinshipInternalClient

struct SQLScriptTests {
    @Test func splitsOnSemicolonsOutsideQuotesCommentsAndDollarBodies() {
        let script = """
        -- a comment; with a semicolon
        CREATE TABLE a (x text DEFAULT 'semi;colon');
        /* block; comment */ INSERT INTO "odd;name" VALUES ('it''s; fine');
        CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;
        CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $body$ SELECT 2; $body$;
        SELECT 1
        -- trailing comment only;
        """
        let statements = SQLScript.statements(in: script)
        #expect(statements.count == 5)
        #expect(statements[0].hasSuffix("DEFAULT 'semi;colon')"))
        #expect(statements[1].contains("('it''s; fine')"))
        #expect(statements[2].hasSuffix("RETURN 1; END $$"))
        #expect(statements[3].hasSuffix("SELECT 2; $body$"))
        #expect(statements[4].hasPrefix("SELECT 1"))
    }

    @Test func bundledMigrationsAreNumberedInOrderAndSplit() {
        let migrations = Migration.bundled
        #expect(migrations.first?.version == 1)
        #expect(migrations.map(\.version) == Array(1...migrations.count))
        #expect(SQLScript.statements(in: migrations[0].sql).count > 20)
    }
}
