/// The pages and screens of one session: the landing page carries the session's campaign in its URL.
struct ClientPages {
    static let origin = "https://shop.example.co.th"

    struct Page {
        let name: String
        let path: String
        let title: String
        let url: String
        let referrer: String?
        let campaign: DemoChannel?
    }

    let device: DemoDevice
    let channel: DemoChannel
    private var landed = false

    init(device: DemoDevice, channel: DemoChannel) {
        self.device = device
        self.channel = channel
    }

    static let categories: [(slug: String, title: String)] = [
        ("fashion", "Fashion"), ("beauty", "Beauty"), ("electronics", "Electronics"), ("home", "Home"),
        ("mom-baby", "Mom & Baby"), ("groceries", "Groceries"), ("sports", "Sports"), ("books", "Books"),
    ]

    /// Where the session starts: the home page or a category, with the campaign's query string.
    mutating func landing(_ random: inout DemoRandom) -> Page {
        if random.chance(0.6) { return page(name: "Home", path: "/", title: "Kinship Shop | ช้อปออนไลน์") }
        let category = random.pick(Self.categories)
        return page(name: "Category", path: "/c/\(category.slug)", title: "\(category.title) | Kinship Shop")
    }

    mutating func product(_ product: DemoProduct) -> Page {
        page(name: "Product", path: "/p/\(product.id.lowercased())", title: "\(product.name) | Kinship Shop")
    }

    private mutating func page(name: String, path: String, title: String) -> Page {
        defer { landed = true }
        guard !landed else {
            return Page(name: name, path: path, title: title, url: Self.origin + path, referrer: Self.origin + "/", campaign: nil)
        }
        var url = Self.origin + path
        if let source = channel.source, let medium = channel.medium {
            url += "?utm_source=\(source)&utm_medium=\(medium)" + (channel.campaign.map { "&utm_campaign=\($0)" } ?? "")
        }
        return Page(name: name, path: path, title: title, url: url, referrer: channel.referrer, campaign: channel.source == nil ? nil : channel)
    }
}
