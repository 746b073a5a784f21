import Foundation

/// The dashboard's charts as inline SVG drawn on the server: no script, nothing fetched, and they scale to
/// a phone's width (`viewBox`, no fixed size). Every text in a chart is escaped here, because labels are
/// the workspace's own data (campaign names, property values) and the page embeds the SVG unescaped.
///
/// Written here rather than taken from a library: none among the machine's packages draws SVG, and three
/// chart kinds in plain markup are less code than adapting one.
enum SVGChart {
    struct Bar {
        let label: String
        let value: Double
        /// What is printed at the bar's end: the value as people read it (a count, baht, a percentage).
        let text: String
    }

    /// Horizontal bars, longest first as given, each labelled on its left and valued on its right.
    static func bars(_ bars: [Bar], title: String) -> String {
        guard !bars.isEmpty else { return "" }
        let rowHeight = 26.0, labelWidth = 220.0, barWidth = 300.0, valueWidth = 120.0
        let width = labelWidth + barWidth + valueWidth
        let height = rowHeight * Double(bars.count) + 8
        let largest = max(bars.map(\.value).max() ?? 0, 0)
        var svg = open(width: width, height: height, title: title)
        for (index, bar) in bars.enumerated() {
            let y = 4 + rowHeight * Double(index)
            let length = largest > 0 ? max(bar.value, 0) / largest * barWidth : 0
            svg += #"<text x="\#(labelWidth - 8)" y="\#(format(y + 17))" text-anchor="end" class="label">\#(escape(shortened(bar.label)))</text>"#
            svg += #"<rect x="\#(labelWidth)" y="\#(format(y + 4))" width="\#(format(length))" height="\#(rowHeight - 8)" rx="3" class="bar"/>"#
            svg += #"<text x="\#(format(labelWidth + length + 6))" y="\#(format(y + 17))" class="value">\#(escape(bar.text))</text>"#
        }
        return svg + "</svg>"
    }

    struct Point {
        let label: String
        let value: Double?
    }

    /// A line over evenly spaced points (missing values break it), with the first and last labels under
    /// it and the highest value beside it. Small enough for a KPI card's trend (`compact`).
    static func line(_ points: [Point], title: String, compact: Bool = false) -> String {
        guard points.count >= 2 else { return "" }
        let width = compact ? 160.0 : 640.0, height = compact ? 40.0 : 200.0
        let left = compact ? 2.0 : 48.0, bottom = compact ? 2.0 : 24.0, top = compact ? 2.0 : 10.0, right = compact ? 2.0 : 10.0
        let values = points.compactMap(\.value)
        let highest = max(values.max() ?? 0, 0), lowest = min(values.min() ?? 0, 0)
        let span = highest - lowest == 0 ? 1 : highest - lowest
        let step = (width - left - right) / Double(points.count - 1)
        func y(_ value: Double) -> Double { top + (height - top - bottom) * (1 - (value - lowest) / span) }

        var svg = open(width: width, height: height, title: title, compact: compact)
        var segments: [[String]] = [[]]
        for (index, point) in points.enumerated() {
            if let value = point.value {
                segments[segments.count - 1].append("\(format(left + step * Double(index))),\(format(y(value)))")
            } else if !(segments.last?.isEmpty ?? true) {
                segments.append([])
            }
        }
        for segment in segments where !segment.isEmpty {
            svg += #"<polyline points="\#(segment.joined(separator: " "))" class="line"/>"#
        }
        if !compact {
            svg += #"<line x1="\#(left)" y1="\#(height - bottom)" x2="\#(width - right)" y2="\#(height - bottom)" class="axis"/>"#
            svg += #"<text x="\#(left - 6)" y="\#(format(y(highest) + 4))" text-anchor="end" class="value">\#(escape(compactNumber(highest)))</text>"#
            svg += #"<text x="\#(left - 6)" y="\#(format(y(lowest) + 4))" text-anchor="end" class="value">\#(escape(compactNumber(lowest)))</text>"#
            svg += #"<text x="\#(left)" y="\#(height - 6)" class="label">\#(escape(points[0].label))</text>"#
            svg += #"<text x="\#(width - right)" y="\#(height - 6)" text-anchor="end" class="label">\#(escape(points[points.count - 1].label))</text>"#
        }
        return svg + "</svg>"
    }

    struct Cell {
        let row: Int
        let column: Int
        let value: Double
        let text: String
    }

    /// A grid of squares shaded by value (darkest the largest), with its labels: the RFM grid.
    static func grid(_ cells: [Cell], rows: [String], columns: [String], rowTitle: String, columnTitle: String, title: String) -> String {
        let size = 64.0, left = 72.0, top = 28.0
        let width = left + size * Double(columns.count) + 8, height = top + size * Double(rows.count) + 24
        let largest = max(cells.map(\.value).max() ?? 0, 0)
        var svg = open(width: width, height: height, title: title, kind: "chart grid")
        svg += #"<text x="\#(format(left))" y="14" class="label">\#(escape(columnTitle)) →</text>"#
        svg += #"<text x="4" y="\#(format(height - 6))" class="label">↑ \#(escape(rowTitle))</text>"#
        for (index, label) in columns.enumerated() {
            svg += #"<text x="\#(format(left + size * (Double(index) + 0.5)))" y="\#(format(top - 4))" text-anchor="middle" class="label">\#(escape(label))</text>"#
        }
        for (index, label) in rows.enumerated() {
            svg += #"<text x="\#(format(left - 8))" y="\#(format(top + size * (Double(index) + 0.5) + 4))" text-anchor="end" class="label">\#(escape(label))</text>"#
        }
        for cell in cells {
            let shade = largest > 0 ? max(cell.value, 0) / largest : 0
            let x = left + size * Double(cell.column), y = top + size * Double(cell.row)
            // Shades of one blue, as presentation attributes: the page's policy allows no inline style.
            svg += #"<rect x="\#(format(x + 1))" y="\#(format(y + 1))" width="\#(size - 2)" height="\#(size - 2)" fill="\#(blue(shade))"/>"#
            svg += #"<text x="\#(format(x + size / 2))" y="\#(format(y + size / 2 + 5))" text-anchor="middle" class="\#(shade > 0.55 ? "on-dark" : "value")">\#(escape(cell.text))</text>"#
        }
        return svg + "</svg>"
    }

    private static func open(width: Double, height: Double, title: String, compact: Bool = false, kind: String? = nil) -> String {
        let kind = kind ?? (compact ? "chart spark" : "chart")
        return #"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \#(format(width)) \#(format(height))" class="\#(kind)" role="img" aria-label="\#(escape(title))"><title>\#(escape(title))</title>"#
    }

    /// From the page's light blue (0) to its dark blue (1).
    static func blue(_ shade: Double) -> String {
        let light = (232.0, 240.0, 254.0), dark = (29.0, 78.0, 216.0)
        let t = min(max(shade, 0), 1)
        let mix = [light.0 + (dark.0 - light.0) * t, light.1 + (dark.1 - light.1) * t, light.2 + (dark.2 - light.2) * t]
        return "#" + mix.map { String(format: "%02x", Int($0.rounded())) }.joined()
    }

    /// Text safe in SVG (XML) content and attribute values.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Long labels end in an ellipsis; the table beside the chart has them whole.
    static func shortened(_ label: String) -> String {
        label.count > 28 ? String(label.prefix(27)) + "…" : label
    }

    static func compactNumber(_ value: Double) -> String {
        switch abs(value) {
        case 1_000_000...: return String(format: "%.1fM", value / 1_000_000)
        case 10_000...: return String(format: "%.0fK", value / 1000)
        case 1...: return String(format: "%.0f", value)
        default: return String(format: "%.2g", value)
        }
    }

    private static func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
