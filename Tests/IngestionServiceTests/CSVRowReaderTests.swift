import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import Testing
@testable import IngestionService

struct CSVRowReaderTests {
    /// Reads `text` fed in chunks of `chunkSize` bytes (everything at once when nil), as fields per row.
    func rows(_ text: String, chunkSize: Int? = nil, maximumRowBytes: Int = 1024) throws -> [CSVRow] {
        try rows(Array(text.utf8), chunkSize: chunkSize, maximumRowBytes: maximumRowBytes)
    }

    func rows(_ bytes: [UInt8], chunkSize: Int? = nil, maximumRowBytes: Int = 1024) throws -> [CSVRow] {
        var reader = CSVRowReader(maximumRowBytes: maximumRowBytes)
        var rows: [CSVRow] = []
        var start = 0
        let size = max(chunkSize ?? bytes.count, 1)
        while start < bytes.count {
            rows += try reader.feed(bytes[start..<min(start + size, bytes.count)])
            start += size
        }
        return rows + (try reader.finish())
    }

    func failure(_ bytes: [UInt8], maximumRowBytes: Int = 1024) -> KinshipError? {
        #expect(throws: KinshipError.self) { try rows(bytes, maximumRowBytes: maximumRowBytes) }
    }

    /// Quoted commas, doubled quotes, line breaks inside quotes, CRLF and LF, an empty line and no final line break.
    static let tricky = "id,note,amount\r\n1,\"Hello, \"\"world\"\"\",3.5\r\n\r\n2,\"two\r\nlines\",\n3,,\"\""

    static let trickyRows = [
        CSVRow(fields: ["id", "note", "amount"], line: 1),
        CSVRow(fields: ["1", "Hello, \"world\"", "3.5"], line: 2),
        CSVRow(fields: ["2", "two\r\nlines", ""], line: 4),
        CSVRow(fields: ["3", "", ""], line: 6),
    ]

    @Test func quotedFieldsEscapesAndLineEndsFollowRFC4180() throws {
        #expect(try rows(Self.tricky) == Self.trickyRows)
    }

    @Test(arguments: [1, 2, 3, 5, 7])
    func chunkBoundariesAnywhereGiveTheSameRows(chunkSize: Int) throws {
        #expect(try rows(Self.tricky, chunkSize: chunkSize) == Self.trickyRows)
        #expect(try rows("\u{FEFF}é,ü\n", chunkSize: chunkSize) == [CSVRow(fields: ["é", "ü"], line: 1)])
    }

    @Test func byteOrderMarkAtTheStartIsIgnoredButNotElsewhere() throws {
        #expect(try rows("\u{FEFF}a,b\n") == [CSVRow(fields: ["a", "b"], line: 1)])
        #expect(try rows("a\n\u{FEFF}b\n") == [CSVRow(fields: ["a"], line: 1), CSVRow(fields: ["\u{FEFF}b"], line: 2)])
        #expect(try rows("\u{FEFF}") == [])
    }

    @Test func loneCarriageReturnsAndBlankLinesAreHandled() throws {
        #expect(try rows("a\rb\r\r\nc\n\n") == [
            CSVRow(fields: ["a"], line: 1), CSVRow(fields: ["b"], line: 2), CSVRow(fields: ["c"], line: 4),
        ])
    }

    @Test func completeRowsComeOutAsSoonAsTheirLineEnds() throws {
        var reader = CSVRowReader(maximumRowBytes: 100)
        #expect(try reader.feed(Array("a,b\nc,".utf8)) == [CSVRow(fields: ["a", "b"], line: 1)])
        #expect(try reader.feed(Array("d".utf8)) == [])
        #expect(try reader.finish() == [CSVRow(fields: ["c", "d"], line: 2)])
    }

    @Test func quoteAfterAClosedQuoteOrInsideAnUnquotedFieldIsText() throws {
        #expect(try rows("\"ab\"c,d\"e\n") == [CSVRow(fields: ["abc", "d\"e"], line: 1)])
    }

    @Test func rowOfExactlyTheMaximumIsAcceptedAndOneByteMoreRefused() throws {
        #expect(try rows("abcd,fghij\nx\n", maximumRowBytes: 10).first == CSVRow(fields: ["abcd", "fghij"], line: 1))
        let error = failure(Array("x\nabcd,fghijk\n".utf8), maximumRowBytes: 10)
        #expect(error?.code == .csvRowTooLarge)
        #expect(error?.message.contains("line 2") == true)
    }

    @Test func endlessRowIsRefusedBeforeItIsHeld() throws {
        var reader = CSVRowReader(maximumRowBytes: 64 * 1024)
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 4096)
        var fed = 0
        #expect(throws: KinshipError.self) {
            while fed < 1 << 30 {
                _ = try reader.feed(chunk)
                fed += chunk.count
            }
        }
        #expect(fed == 64 * 1024)
    }

    @Test func unterminatedQuoteNamesTheLineWhereTheRowStarts() {
        let error = failure(Array("a\n\n\"open,\nstill open".utf8))
        #expect(error?.code == .csvUnterminatedQuote)
        #expect(error?.message.contains("line 3") == true)
    }

    @Test func invalidUTF8IsRefused() {
        let error = failure(Array("ok\n".utf8) + [0x61, 0xC3, 0x28, 0x0A])
        #expect(error?.code == .csvInvalidUTF8)
        #expect(error?.message.contains("line 2") == true)
        #expect(failure([0xEF, 0xBB])?.code == .csvInvalidUTF8)  // half a byte order mark
    }
}
