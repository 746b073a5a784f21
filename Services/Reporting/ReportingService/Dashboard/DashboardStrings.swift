import Foundation
import Hummingbird

/// Every label the dashboard shows, one table per language: Thai for the marketers it is made for, English.
/// A page takes `?lang=th|en`, else the browser's `Accept-Language`, else English.
enum DashboardStrings {
    enum Language: String, CaseIterable, Sendable {
        case english = "en"
        case thai = "th"
    }

    /// One table per language, `Resources/Dashboard/strings-<code>.json`, read once; the build ships them
    /// with the templates (`DashboardPages.load` refuses to start without them).
    static let tables: [Language: [String: String]] = {
        var tables: [Language: [String: String]] = [:]
        for language in Language.allCases {
            guard let folder = DashboardPages.folder,
                  let data = try? Data(contentsOf: folder.appendingPathComponent("strings-\(language.rawValue).json")),
                  let table = try? JSONDecoder().decode([String: String].self, from: data) else { continue }
            tables[language] = table
        }
        return tables
    }()

    static func language(for request: Request) -> Language {
        if let asked = request.uri.queryParameters.get("lang").flatMap(Language.init(rawValue:)) { return asked }
        let accepted = request.headers[.acceptLanguage] ?? ""
        // The first language the browser lists that the dashboard speaks.
        for entry in accepted.split(separator: ",") {
            let code = entry.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased().prefix(2)
            if let language = Language(rawValue: String(code)) { return language }
        }
        return .english
    }
}
