import ArgumentParser
import Foundation
import KinshipCore

/// `kinship segments`: a workspace's segments, through the segmentation service's internal API.
struct SegmentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segments",
        abstract: "Create, change, list, show, preview and delete segments.",
        discussion: """
            A definition is a JSON condition tree (docs/segments.md), read from a file or - for standard input. \
            Reads KINSHIP_INTERNAL_TOKEN, KINSHIP_SEGMENTATION_URL when --segmentation-url is not given, and \
            KINSHIP_DATABASE_URL to look the workspace up by name.
              kinship segments create --workspace demo --name "Big spenders" --file big-spenders.json
              kinship segments preview --workspace demo --file detractors.json
            """,
        subcommands: [Create.self, Update.self, List.self, Show.self, Preview.self, Delete.self]
    )

    struct DraftOptions: ParsableArguments {
        @Option(help: "The definition's file (- for standard input).")
        var file: String

        @Option(help: "What the segment is for, for people.")
        var description: String?

        @Option(help: "A consent category members must not have refused (e.g. marketing).")
        var requiresConsent: String?

        func draft(name: String) throws -> SegmentDraft {
            SegmentDraft(name: name, description: description, definition: try Self.definition(file), requiredConsent: requiresConsent)
        }

        static func definition(_ file: String) throws -> JSONValue {
            do {
                return try JSONValue.parse(String(decoding: try IdentityAccess.read(file), as: UTF8.self))
            } catch let error as ValidationError {
                throw error
            } catch {
                throw ValidationError("\(file) is not JSON: \(error)")
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a segment; its members are decided at once.")

        @OptionGroup var access: SegmentationAccess
        @Option(help: "The segment's name (unique in the workspace).")
        var name: String
        @OptionGroup var draft: DraftOptions

        func run() async throws {
            let body = try JSONCoding.encoder().encode(try draft.draft(name: name))
            let segment = try await access.connect().call(.post, "/internal/v1/segments", body: body, as: SegmentView.self)
            print("created segment \(segment.id) '\(segment.name)' (version \(segment.version)) with \(segment.size) members")
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Replace a segment's definition: a new version, its members decided again.")

        @OptionGroup var access: SegmentationAccess
        @Argument(help: "The segment's id or name.")
        var segment: String
        @Option(help: "A new name (default: the current one).")
        var name: String?
        @OptionGroup var draft: DraftOptions

        func run() async throws {
            let connection = try await access.connect()
            let current = try await SegmentsCommand.find(segment, on: connection)
            let body = try JSONCoding.encoder().encode(try draft.draft(name: name ?? current.name))
            let updated = try await connection.call(.put, "/internal/v1/segments/\(current.id)", body: body, as: SegmentView.self)
            print("segment \(updated.id) '\(updated.name)' is at version \(updated.version) with \(updated.size) members")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The workspace's segments with their sizes.")

        @OptionGroup var access: SegmentationAccess

        func run() async throws {
            let segments = try await access.connect().call(.get, "/internal/v1/segments", as: [SegmentView].self)
            print(TextTable(
                header: ["ID", "NAME", "MEMBERS", "VERSION", "REQUIRES_CONSENT", "UPDATED"],
                rows: segments.map { [$0.id, $0.name, String($0.size), String($0.version), $0.requiredConsent ?? "-", Timestamp.format($0.updatedAt)] }
            ).rendered)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One segment: its definition, version and size.")

        @OptionGroup var access: SegmentationAccess
        @Argument(help: "The segment's id or name.")
        var segment: String

        func run() async throws {
            let found = try await SegmentsCommand.find(segment, on: try await access.connect())
            print("""
                segment \(found.id) '\(found.name)'
                version \(found.version), \(found.size) members, requires consent: \(found.requiredConsent ?? "none")
                created \(Timestamp.format(found.createdAt)), updated \(Timestamp.format(found.updatedAt))
                \(found.description.isEmpty ? "" : "\n\(found.description)\n")
                \(found.definition.serialized())
                """)
        }
    }

    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "How many profiles a definition holds now, and some of them. Saves nothing.")

        @OptionGroup var access: SegmentationAccess
        @Option(help: "The definition's file (- for standard input).")
        var file: String
        @Option(help: "A consent category members must not have refused.")
        var requiresConsent: String?
        @Option(help: "How many profile ids to show (0 to 100).")
        var sample = 10

        func run() async throws {
            let request = SegmentPreviewRequest(definition: try DraftOptions.definition(file), requiredConsent: requiresConsent, sampleSize: sample)
            let preview = try await access.connect().call(
                .post, "/internal/v1/segments/preview", body: try JSONCoding.encoder().encode(request), as: SegmentPreview.self
            )
            print("\(preview.size) profiles at \(Timestamp.format(preview.evaluatedAt))")
            for id in preview.sample { print(id) }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a segment: every member exits; its history stays.")

        @OptionGroup var access: SegmentationAccess
        @Argument(help: "The segment's id or name.")
        var segment: String

        func run() async throws {
            let connection = try await access.connect()
            let found = try await SegmentsCommand.find(segment, on: connection)
            _ = try await connection.call(.delete, "/internal/v1/segments/\(found.id)", as: SegmentView.self)
            print("deleted segment \(found.id) '\(found.name)'; its \(found.size) members exited")
        }
    }

    /// A segment by id, or by name among the workspace's.
    static func find(_ reference: String, on connection: InternalConnection) async throws -> SegmentView {
        if let id = UUID(uuidString: reference) {
            return try await connection.call(.get, "/internal/v1/segments/\(id.lowercased)", as: SegmentView.self)
        }
        let segments = try await connection.call(.get, "/internal/v1/segments", as: [SegmentView].self)
        guard let found = segments.first(where: { $0.name == reference }) else {
            throw ValidationError("the workspace has no segment named '\(reference)'")
        }
        return found
    }
}
