/// One of the segmentation benchmark's 20 segments: its definition, and the same condition written by
/// hand in SQL, the reference a full recompute is compared with. The SQL is a condition on `sp`
/// (`segment_profiles`) and `p` (`profiles`) reading the workspace as `$1` and the moment as `$2`.
struct BenchSegment: Sendable {
    let name: String
    let definition: String
    var requiredConsent: String? = nil
    let reference: String

    /// Mixed kinds: computed traits, RFM groups, event aggregates with windows and filters, consent,
    /// traits, and `not`, `any`, `all`.
    static let all: [BenchSegment] = [
        BenchSegment(name: "big spenders", definition: #"{"computed": "revenue", "op": "gt", "value": 5000}"#,
                     reference: "\(number("revenue")) > 5000"),
        BenchSegment(name: "repeat buyers", definition: #"{"computed": "order_count", "op": "gte", "value": 3}"#,
                     reference: "\(number("order_count")) >= 3"),
        BenchSegment(name: "champions", definition: #"{"computed": "rfm_group", "op": "eq", "value": "Champions"}"#,
                     reference: #"sp.computed -> 'rfm_group' = '"Champions"'::jsonb"#),
        BenchSegment(name: "slipping away", definition: #"{"computed": "rfm_group", "op": "in", "value": ["At Risk", "Can't Lose Them", "About to Sleep"]}"#,
                     reference: #"sp.computed -> 'rfm_group' IN ('"At Risk"'::jsonb, '"Can''t Lose Them"'::jsonb, '"About to Sleep"'::jsonb)"#),
        BenchSegment(name: "ordered in 30 days", definition: #"{"event": "Order Completed", "within_days": 30}"#,
                     reference: "EXISTS (SELECT 1 \(events("Order Completed", days: 30)))"),
        BenchSegment(name: "lapsed buyers",
                     definition: #"{"all": [{"computed": "order_count", "op": "gte", "value": 1}, {"not": {"event": "Order Completed", "within_days": 60}}]}"#,
                     reference: "\(number("order_count")) >= 1 AND NOT EXISTS (SELECT 1 \(events("Order Completed", days: 60)))"),
        BenchSegment(name: "cart abandoners", definition: #"{"computed": "abandoned_cart", "op": "eq", "value": true}"#,
                     reference: "sp.computed -> 'abandoned_cart' = 'true'::jsonb"),
        BenchSegment(name: "browsers without a cart",
                     definition: #"{"all": [{"event": "Product Viewed", "within_days": 14, "aggregate": "count", "op": "gte", "value": 3}, {"not": {"event": "Product Added", "within_days": 14}}]}"#,
                     reference: "(SELECT count(*) \(events("Product Viewed", days: 14))) >= 3 AND NOT EXISTS (SELECT 1 \(events("Product Added", days: 14)))"),
        BenchSegment(name: "app buyers",
                     definition: #"{"event": "Order Completed", "where": [{"property": "channel", "op": "eq", "value": "app"}], "within_days": 90, "aggregate": "count", "op": "gte", "value": 2}"#,
                     reference: #"(SELECT count(*) \#(events("Order Completed", days: 90, properties: true)) AND e.message -> 'properties' -> 'channel' = '"app"'::jsonb) >= 2"#),
        BenchSegment(name: "spent over 3000 in 90 days",
                     definition: #"{"event": "Order Completed", "within_days": 90, "aggregate": "sum", "property": "total", "op": "gt", "value": 3000}"#,
                     reference: "(SELECT coalesce(sum(\(property("total"))), 0) \(events("Order Completed", days: 90, properties: true))) > 3000"),
        BenchSegment(name: "large baskets",
                     definition: #"{"event": "Order Completed", "aggregate": "avg", "property": "total", "op": "gte", "value": 1500}"#,
                     reference: "(SELECT avg(\(property("total"))) \(events("Order Completed", properties: true))) >= 1500"),
        BenchSegment(name: "marketing allowed", definition: #"{"consent": "marketing", "op": "eq", "value": true}"#,
                     reference: "sp.consent -> 'marketing' = 'true'::jsonb"),
        BenchSegment(name: "buyers to mail", definition: #"{"computed": "order_count", "op": "gte", "value": 1}"#, requiredConsent: "marketing",
                     reference: "\(number("order_count")) >= 1 AND sp.consent -> 'marketing' IS DISTINCT FROM 'false'::jsonb"),
        BenchSegment(name: "engaged readers",
                     definition: #"{"any": [{"computed": "emails_opened", "op": "gte", "value": 3}, {"computed": "emails_clicked", "op": "gte", "value": 1}]}"#,
                     reference: "(\(number("emails_opened")) >= 3 OR \(number("emails_clicked")) >= 1)"),
        BenchSegment(name: "unengaged readers",
                     definition: #"{"all": [{"computed": "emails_delivered", "op": "gte", "value": 5}, {"computed": "emails_opened", "op": "eq", "value": 0}]}"#,
                     reference: "\(number("emails_delivered")) >= 5 AND \(number("emails_opened")) = 0"),
        BenchSegment(name: "promoters", definition: #"{"computed": "nps_category", "op": "eq", "value": "promoter"}"#,
                     reference: #"sp.computed -> 'nps_category' = '"promoter"'::jsonb"#),
        BenchSegment(name: "last order over 45 days ago",
                     definition: #"{"event": "Order Completed", "aggregate": "last", "op": "before_days_ago", "value": 45}"#,
                     reference: "(SELECT max(ep.event_time) \(events("Order Completed"))) <= $2 - interval '45 days'"),
        BenchSegment(name: "Bangkok area",
                     definition: #"{"all": [{"trait": "province", "op": "in", "value": ["Bangkok", "Nonthaburi", "Samut Prakan"]}, {"trait": "gender", "op": "exists", "value": true}]}"#,
                     reference: #"p.traits -> 'province' -> 'value' IN ('"Bangkok"'::jsonb, '"Nonthaburi"'::jsonb, '"Samut Prakan"'::jsonb) AND jsonb_typeof(p.traits -> 'gender' -> 'value') IS DISTINCT FROM 'null'"#),
        BenchSegment(name: "active this month", definition: #"{"computed": "page_views_30d", "op": "gte", "value": 5}"#,
                     reference: "\(number("page_views_30d")) >= 5"),
        BenchSegment(name: "new customers",
                     definition: #"{"event": "Order Completed", "aggregate": "first", "op": "within_days", "value": 30}"#,
                     reference: "(SELECT min(ep.event_time) \(events("Order Completed"))) BETWEEN $2 - interval '30 days' + interval '1 microsecond' AND $2"),
    ]

    /// A computed trait as a number, null when it is not one.
    static func number(_ name: String) -> String {
        "CASE WHEN jsonb_typeof(sp.computed -> '\(name)') = 'number' THEN (sp.computed ->> '\(name)')::float8 END"
    }

    /// An event property as a number, null when it is not one.
    static func property(_ name: String) -> String {
        "CASE WHEN jsonb_typeof(e.message -> 'properties' -> '\(name)') = 'number' THEN (e.message -> 'properties' ->> '\(name)')::float8 END"
    }

    /// `FROM … WHERE …` over the profile's track events of that name, in the last `days` days when given: the
    /// names are in `event_profiles` (`track_event`), and `events` is joined only when `properties` are read.
    static func events(_ name: String, days: Int? = nil, properties: Bool = false) -> String {
        let window = days.map { " AND ep.event_time > $2 - interval '\($0) days' AND ep.event_time <= $2" } ?? ""
        let join = properties
            ? " JOIN events e ON e.workspace_id = ep.workspace_id AND e.received_at = ep.received_at AND e.message_id = ep.message_id" : ""
        return "FROM event_profiles ep\(join) WHERE ep.workspace_id = $1 AND ep.profile_id = sp.profile_id AND ep.track_event = '\(name)'\(window)"
    }
}
