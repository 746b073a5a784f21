import Foundation
import Hummingbird
import KinshipCore
import KinshipService

/// `/dashboard/segments`: the list with sizes and a sparkline of each size over 30 days, a segment's page
/// (definition, size over time, members, exports), and the editor with its live preview. Every role reads
/// segments and their sizes; analysts and admins edit them and see or export members, as in the API.
extension DashboardRoutes {
    func addSegments(to routes: RouterGroup<KinshipRequestContext>) {
        routes.get("segments", use: htmlErrors { request, context in try await segmentList(request, context) })
        routes.get("segments/new", use: htmlErrors { request, context in try await editor(request, context, editing: nil) })
        routes.post("segments", use: htmlErrors { request, context in try await saveSegment(request, context, editing: nil) })
        routes.post("segments/preview", use: htmlErrors { request, context in try await previewSegment(request, context) })
        routes.get("segments/:id", use: htmlErrors { request, context in try await segmentPage(request, context) })
        routes.get("segments/:id/edit", use: htmlErrors { request, context in
            try await editor(request, context, editing: try SegmentRoutes.segmentParameter(context))
        })
        routes.post("segments/:id", use: htmlErrors { request, context in
            try await saveSegment(request, context, editing: try SegmentRoutes.segmentParameter(context))
        })
        routes.get("segments/:id/history/csv", use: htmlErrors { request, context in try await segmentHistoryCSV(request, context) })
        routes.get("segments/:id/members/csv", use: htmlErrors { request, context in try await segmentExport(request, context, hashed: false) })
        routes.get("segments/:id/members/hashed", use: htmlErrors { request, context in try await segmentExport(request, context, hashed: true) })
    }

    private func segmentList(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        guard let session = try await session(of: request) else { return Self.toSignIn }
        let labels = DashboardStrings.tables[DashboardStrings.language(for: request)] ?? [:]
        let now = Date()
        var rows: [[String: Any]] = []
        for segment in try await segments.list(for: session.key) {
            let days = try await segments.history(of: segment, for: session.key, from: now.addingTimeInterval(-30 * 86_400), to: now, logger: context.logger)
            rows.append([
                "id": segment.id, "name": segment.name, "description": segment.description,
                "size": OverviewCards.Kind.count.text(Double(segment.size)),
                "sparkline": SVGChart.line(days.map { SVGChart.Point(label: $0.day, value: Double($0.size)) }, title: segment.name, compact: true),
            ])
        }
        return pages.page(
            "segments", heading: labels["segments"] ?? "segments", language: DashboardStrings.language(for: request), session: session,
            values: ["segments": rows, "none": rows.isEmpty, "canEdit": session.key.role.includes(.analyst)]
        )
    }

    private func segmentPage(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        guard let session = try await session(of: request) else { return Self.toSignIn }
        let id = try SegmentRoutes.segmentParameter(context)
        let language = DashboardStrings.language(for: request)
        let labels = DashboardStrings.tables[language] ?? [:]
        let segment = try await segments.segment(id, for: session.key)
        let (from, to) = try PeriodParameters.period(request)
        let days = try await segments.history(of: segment, for: session.key, from: from, to: to, logger: context.logger)
        let seesMembers = session.key.role.includes(.analyst)
        var values: [String: Any] = try Self.periodValues(request).merging([
            "id": segment.id, "name": segment.name, "description": segment.description, "version": String(segment.version),
            "size": OverviewCards.Kind.count.text(Double(segment.size)), "requiredConsent": segment.requiredConsent ?? "",
            "definition": SegmentEditorForm.pretty(segment.definition),
            "chart": SVGChart.line(days.map { SVGChart.Point(label: $0.day, value: Double($0.size)) }, title: labels["sizeOverTime"] ?? "size"),
            "days": days.reversed().map { ["day": $0.day, "entered": String($0.entered), "exited": String($0.exited), "size": String($0.size)] },
            "canEdit": seesMembers,
        ]) { _, new in new }
        if seesMembers {
            let page = try await segments.membersPage(of: segment, for: session.key, limit: 50, after: nil, logger: context.logger)
            values["members"] = page.items.map { ["id": $0.profileId, "entered": PersonPage.time($0.enteredAt), "marketingRefused": $0.marketingRefused] }
            values["more"] = page.nextCursor != nil
        }
        return pages.page("segment", heading: segment.name, language: language, session: session, values: values)
    }

    private func segmentHistoryCSV(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        guard let session = try await session(of: request) else { return Self.toSignIn }
        let id = try SegmentRoutes.segmentParameter(context)
        let (from, to) = try PeriodParameters.period(request)
        let days = try await segments.history(of: id, for: session.key, from: from, to: to, logger: context.logger)
        return try CSVResponse.make(segments.historyTable(days), filename: "segment-\(id.lowercased)-history.csv")
    }

    private func segmentExport(_ request: Request, _ context: KinshipRequestContext, hashed: Bool) async throws -> Response {
        guard let session = try await session(of: request) else { return Self.toSignIn }
        try Self.requireAnalyst(session)
        let id = try SegmentRoutes.segmentParameter(context)
        if hashed {
            let table = try await segments.audienceTable(of: id, for: session.key, logger: context.logger)
            return try CSVResponse.make(table, filename: "segment-\(id.lowercased)-audience.csv")
        }
        let table = try await segments.membersTable(of: id, for: session.key, logger: context.logger)
        return try CSVResponse.make(table, filename: "segment-\(id.lowercased)-members.csv")
    }

    /// The editor: a new segment's empty form, or the current version of one to change.
    private func editor(_ request: Request, _ context: KinshipRequestContext, editing id: UUID?) async throws -> Response {
        guard let session = try await session(of: request) else { return Self.toSignIn }
        try Self.requireAnalyst(session)
        var form = SegmentEditorForm.blank
        if let id { form = SegmentEditorForm(try await segments.segment(id, for: session.key)) }
        return editorPage(request, session, form: form, editing: id, error: nil, preview: nil)
    }

    /// `POST /dashboard/segments` or `/dashboard/segments/{id}`: creates or changes the segment, then shows it;
    /// a definition segmentation refuses comes back in the editor with its reason.
    private func saveSegment(_ request: Request, _ context: KinshipRequestContext, editing id: UUID?) async throws -> Response {
        guard let (session, fields) = try await submission(request) else { return Self.toSignIn }
        try Self.requireAnalyst(session)
        let form = SegmentEditorForm(fields)
        do {
            let saved = try await segments.save(try form.draft(), id: id, for: session.key)
            let language = DashboardStrings.language(for: request).rawValue
            return Response(status: .seeOther, headers: [.location: "/dashboard/segments/\(saved.id)?lang=\(language)"])
        } catch let error as KinshipError where error.status.code >= 400 && error.status.code < 500 {
            return editorPage(request, session, form: form, editing: id, error: error.message, preview: nil, status: .badRequest)
        }
    }

    /// `POST /dashboard/segments/preview`: the editor's definition tried without saving. With
    /// `Accept: application/json` (the editor's script, as the definition changes) the size and sample as
    /// JSON; from the form's button without scripts, the editor again with them shown.
    private func previewSegment(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        guard let (session, fields) = try await submission(request) else { return Self.toSignIn }
        try Self.requireAnalyst(session)
        let form = SegmentEditorForm(fields)
        let wantsJSON = request.headers[.accept]?.contains("application/json") == true
        do {
            let draft = try form.draft()
            let preview = try await segments.preview(
                SegmentPreviewRequest(definition: draft.definition, requiredConsent: draft.requiredConsent, sampleSize: 10), for: session.key
            )
            if wantsJSON { return try .json(encoding: preview) }
            return editorPage(request, session, form: form, editing: UUID(uuidString: fields["id"] ?? ""), error: nil, preview: preview)
        } catch let error as KinshipError where !wantsJSON && error.status.code >= 400 && error.status.code < 500 {
            return editorPage(request, session, form: form, editing: UUID(uuidString: fields["id"] ?? ""), error: error.message, preview: nil, status: .badRequest)
        }
    }

    private func editorPage(
        _ request: Request, _ session: DashboardSessions.Session, form: SegmentEditorForm, editing id: UUID?, error: String?,
        preview: SegmentPreview?, status: HTTPResponse.Status = .ok
    ) -> Response {
        let language = DashboardStrings.language(for: request)
        let labels = DashboardStrings.tables[language] ?? [:]
        var values = form.values
        values["id"] = id?.lowercased ?? ""
        values["action"] = id.map { "/dashboard/segments/\($0.lowercased)" } ?? "/dashboard/segments"
        values["error"] = error ?? ""
        values["previewSize"] = preview.map { OverviewCards.Kind.count.text(Double($0.size)) } ?? "–"
        values["previewSample"] = preview?.sample ?? []
        values["consentChoices"] = ["", "marketing", "analytics", "personalization"].map { category in
            ["value": category, "label": category.isEmpty ? (labels["noConsentNeeded"] ?? "none") : category, "selected": category == form.requiredConsent]
        }
        return pages.page(
            "segment-editor", heading: labels[id == nil ? "newSegment" : "editSegment"] ?? "segment", language: language, session: session,
            values: values, status: status, scripts: ["/dashboard/segment-editor.js"]
        )
    }
}

/// The editor's fields: what the form shows and posts, and the draft segmentation takes from them.
struct SegmentEditorForm {
    var name: String
    var description: String
    var definition: String
    var requiredConsent: String

    static let blank = SegmentEditorForm(
        name: "", description: "", definition: #"{"computed": "order_count", "op": "gte", "value": 2}"#, requiredConsent: ""
    )

    init(name: String, description: String, definition: String, requiredConsent: String) {
        self.name = name
        self.description = description
        self.definition = definition
        self.requiredConsent = requiredConsent
    }

    init(_ segment: SegmentView) {
        self.init(
            name: segment.name, description: segment.description, definition: Self.pretty(segment.definition),
            requiredConsent: segment.requiredConsent ?? ""
        )
    }

    init(_ fields: [String: String]) {
        self.init(
            name: fields["name"] ?? "", description: fields["description"] ?? "", definition: fields["definition"] ?? "",
            requiredConsent: fields["required_consent"] ?? ""
        )
    }

    var values: [String: Any] {
        ["name": name, "description": description, "definition": definition, "requiredConsent": requiredConsent]
    }

    /// The draft, or `invalid_parameter` when the definition is not JSON (segmentation judges the rest).
    func draft() throws -> SegmentDraft {
        guard let tree = try? JSONValue.parse(definition) else {
            throw KinshipError.badRequest(.invalidParameter, "The definition is not valid JSON.")
        }
        return SegmentDraft(
            name: name, description: description.isEmpty ? nil : description, definition: tree,
            requiredConsent: requiredConsent.isEmpty ? nil : requiredConsent
        )
    }

    /// A definition as people read it: indented, keys in order.
    static func pretty(_ definition: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(definition)).map { String(decoding: $0, as: UTF8.self) } ?? definition.serialized()
    }
}
