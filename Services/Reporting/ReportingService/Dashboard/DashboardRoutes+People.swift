import Foundation
import Hummingbird
import KinshipCore
import KinshipService

/// `/dashboard/people`: finding a person by e-mail, phone or user id, their 360 view, and (admins) unmerging
/// an identifier that joined two people wrongly. Roles as in the API: a viewer sees no person, an analyst
/// sees personal values masked, an admin in clear.
extension DashboardRoutes {
    func addPeople(to routes: RouterGroup<KinshipRequestContext>) {
        routes.get("people", use: htmlErrors { request, context in try await peopleSearch(request, context) })
        routes.get("people/:id", use: htmlErrors { request, context in try await person(request, context) })
        routes.post("people/:id/unmerge", use: htmlErrors { request, context in try await unmerge(request, context) })
    }

    private func peopleSearch(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        guard let session = try await session(of: request) else { return Self.toSignIn }
        try Self.requireAnalyst(session)
        let language = DashboardStrings.language(for: request)
        let labels = DashboardStrings.tables[language] ?? [:]
        var values: [String: Any] = ["q": request.uri.queryParameters.get("q") ?? ""]
        if let asked = request.uri.queryParameters.get("q"), !asked.trimmingCharacters(in: .whitespaces).isEmpty {
            let matches = try await profiles.search(try ProfileRoutes.searchText(request), for: session.key)
            values["searched"] = true
            values["matches"] = matches.map { ["id": $0.profileId, "matchedBy": labels["identifier.\($0.matchedBy)"] ?? $0.matchedBy] }
            values["none"] = matches.isEmpty
        }
        return pages.page("people", heading: labels["people"] ?? "people", language: language, session: session, values: values)
    }

    private func person(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        guard let session = try await session(of: request) else { return Self.toSignIn }
        try Self.requireAnalyst(session)
        let id = try ProfileRoutes.profileParameter(context)
        let view = try await profiles.view(of: id, for: session.key, lastEvents: 50, logger: context.logger)
        let language = DashboardStrings.language(for: request)
        let labels = DashboardStrings.tables[language] ?? [:]
        var values = PersonPage.values(view, labels: labels)
        values["canUnmerge"] = session.key.role == .admin
        if let parts = request.uri.queryParameters.get("unmerged") { values["unmerged"] = "\(labels["unmerged"] ?? "unmerged") \(parts)" }
        return pages.page("person", heading: labels["person"] ?? "person", language: language, session: session, values: values)
    }

    /// `POST /dashboard/people/{id}/unmerge` (admins; `type`, `value`, `csrf`): identity removes every join
    /// that identifier made and splits the profile where its graph falls apart; the page then shows the rest.
    private func unmerge(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        guard let (session, form) = try await submission(request) else { return Self.toSignIn }
        guard session.key.role == .admin else {
            throw KinshipError(code: .forbidden, status: .forbidden, message: "Unmerging needs an admin key.")
        }
        let id = try ProfileRoutes.profileParameter(context)
        guard let type = form["type"], !type.isEmpty, let value = form["value"], !value.isEmpty else {
            throw KinshipError.badRequest(.invalidParameter, "Name the identifier to unmerge: its type and value.")
        }
        let outcome = try await profiles.unmerge(id, type: type, value: value, requestedBy: "dashboard:\(session.key.name)", for: session.key)
        let language = DashboardStrings.language(for: request).rawValue
        return Response(status: .seeOther, headers: [
            .location: "/dashboard/people/\(outcome.profileId)?lang=\(language)&unmerged=\(outcome.parts.count)",
        ])
    }

    static func requireAnalyst(_ session: DashboardSessions.Session) throws {
        guard session.key.role.includes(.analyst) else {
            throw KinshipError(code: .forbidden, status: .forbidden, message: "People are shown to analyst and admin keys only.")
        }
    }
}
