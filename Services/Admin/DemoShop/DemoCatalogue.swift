/// What the shop sells: products in categories, prices in satang (1/100 baht) so money adds up exactly.
struct DemoProduct: Sendable {
    let id: String
    let name: String
    let category: String
    let brand: String
    let priceSatang: Int
}

enum DemoCatalogue {
    static let products: [DemoProduct] = [
        // Fashion
        .init(id: "SKU-1001", name: "Cotton Oversize T-Shirt", category: "Fashion", brand: "Siam Basics", priceSatang: 290_00),
        .init(id: "SKU-1002", name: "เดรสผ้าลินิน Linen Dress", category: "Fashion", brand: "Chao Phraya", priceSatang: 890_00),
        .init(id: "SKU-1003", name: "Slim Fit Chinos", category: "Fashion", brand: "Siam Basics", priceSatang: 690_00),
        .init(id: "SKU-1004", name: "กางเกงช้าง Elephant Pants", category: "Fashion", brand: "Lanna Craft", priceSatang: 199_00),
        .init(id: "SKU-1005", name: "Canvas Sneakers", category: "Fashion", brand: "Run Thai", priceSatang: 1_290_00),
        .init(id: "SKU-1006", name: "Leather Tote Bag", category: "Fashion", brand: "Chao Phraya", priceSatang: 2_490_00),
        // Beauty
        .init(id: "SKU-2001", name: "Sunscreen SPF50+ PA++++", category: "Beauty", brand: "Mali", priceSatang: 459_00),
        .init(id: "SKU-2002", name: "เซรั่มวิตามินซี Vitamin C Serum", category: "Beauty", brand: "Mali", priceSatang: 790_00),
        .init(id: "SKU-2003", name: "Tanaka Cleansing Foam", category: "Beauty", brand: "Ayutthaya Herbs", priceSatang: 189_00),
        .init(id: "SKU-2004", name: "Matte Lip Tint", category: "Beauty", brand: "Rose Bangkok", priceSatang: 259_00),
        .init(id: "SKU-2005", name: "Jasmine Body Lotion", category: "Beauty", brand: "Ayutthaya Herbs", priceSatang: 329_00),
        .init(id: "SKU-2006", name: "Night Repair Cream", category: "Beauty", brand: "Rose Bangkok", priceSatang: 1_450_00),
        // Electronics
        .init(id: "SKU-3001", name: "True Wireless Earbuds", category: "Electronics", brand: "Sonic TH", priceSatang: 1_590_00),
        .init(id: "SKU-3002", name: "Power Bank 20000 mAh", category: "Electronics", brand: "Volt", priceSatang: 790_00),
        .init(id: "SKU-3003", name: "Smart Watch Lite", category: "Electronics", brand: "Volt", priceSatang: 2_990_00),
        .init(id: "SKU-3004", name: "USB-C Fast Charger 65W", category: "Electronics", brand: "Volt", priceSatang: 690_00),
        .init(id: "SKU-3005", name: "Bluetooth Speaker", category: "Electronics", brand: "Sonic TH", priceSatang: 1_290_00),
        .init(id: "SKU-3006", name: "Robot Vacuum", category: "Electronics", brand: "CleanBot", priceSatang: 8_990_00),
        .init(id: "SKU-3007", name: "Smartphone A55", category: "Electronics", brand: "Galaxy Star", priceSatang: 12_990_00),
        // Home
        .init(id: "SKU-4001", name: "หม้อหุงข้าว Rice Cooker 1.8L", category: "Home", brand: "Krua Thai", priceSatang: 1_190_00),
        .init(id: "SKU-4002", name: "Air Fryer 5L", category: "Home", brand: "Krua Thai", priceSatang: 2_290_00),
        .init(id: "SKU-4003", name: "Memory Foam Pillow", category: "Home", brand: "Nonn", priceSatang: 590_00),
        .init(id: "SKU-4004", name: "Bedsheet Set Queen", category: "Home", brand: "Nonn", priceSatang: 990_00),
        .init(id: "SKU-4005", name: "Standing Fan 16\"", category: "Home", brand: "Lom Yen", priceSatang: 890_00),
        .init(id: "SKU-4006", name: "Air Purifier", category: "Home", brand: "Lom Yen", priceSatang: 4_590_00),
        // Mom & Baby
        .init(id: "SKU-5001", name: "Baby Diapers L (54 pcs)", category: "Mom & Baby", brand: "Nong Noi", priceSatang: 459_00),
        .init(id: "SKU-5002", name: "Baby Wipes (3 packs)", category: "Mom & Baby", brand: "Nong Noi", priceSatang: 129_00),
        .init(id: "SKU-5003", name: "Feeding Bottle Set", category: "Mom & Baby", brand: "Mae Care", priceSatang: 650_00),
        .init(id: "SKU-5004", name: "Baby Stroller", category: "Mom & Baby", brand: "Mae Care", priceSatang: 5_900_00),
        // Groceries
        .init(id: "SKU-6001", name: "ข้าวหอมมะลิ Jasmine Rice 5kg", category: "Groceries", brand: "Thung Kula", priceSatang: 239_00),
        .init(id: "SKU-6002", name: "Fish Sauce 700ml", category: "Groceries", brand: "Tiparos Bay", priceSatang: 45_00),
        .init(id: "SKU-6003", name: "Thai Tea Mix 400g", category: "Groceries", brand: "Cha Cha", priceSatang: 120_00),
        .init(id: "SKU-6004", name: "Doi Chaang Coffee Beans 500g", category: "Groceries", brand: "Doi Coffee", priceSatang: 420_00),
        .init(id: "SKU-6005", name: "Dried Mango 500g", category: "Groceries", brand: "Suan Thai", priceSatang: 189_00),
        // Sports
        .init(id: "SKU-7001", name: "Yoga Mat 6mm", category: "Sports", brand: "Fit Siam", priceSatang: 590_00),
        .init(id: "SKU-7002", name: "Running Shoes", category: "Sports", brand: "Run Thai", priceSatang: 2_790_00),
        .init(id: "SKU-7003", name: "Muay Thai Gloves", category: "Sports", brand: "Nak Muay", priceSatang: 1_490_00),
        .init(id: "SKU-7004", name: "Dumbbell Set 10kg", category: "Sports", brand: "Fit Siam", priceSatang: 990_00),
        // Books & Stationery
        .init(id: "SKU-8001", name: "Planner 2027", category: "Books", brand: "Samut", priceSatang: 350_00),
        .init(id: "SKU-8002", name: "นิยาย Thai Novel Box Set", category: "Books", brand: "Samut", priceSatang: 1_200_00),
        .init(id: "SKU-8003", name: "Gel Pen Set (12)", category: "Books", brand: "Samut", priceSatang: 99_00),
    ]

    /// Products a shopper is likely to look at, weighted towards cheap everyday items.
    static let viewWeights: [Int] = products.map { product in
        product.priceSatang < 500_00 ? 6 : product.priceSatang < 2_000_00 ? 4 : product.priceSatang < 5_000_00 ? 2 : 1
    }

    static let bigSpenderWeights: [Int] = products.map { $0.priceSatang < 500_00 ? 2 : 3 }

    /// The subscription plans, billed monthly.
    static let subscriptionPlans: [(id: String, name: String, priceSatang: Int)] = [
        ("coffee-monthly", "Doi Coffee Club (monthly)", 390_00),
        ("beauty-box", "Mali Beauty Box (monthly)", 590_00),
        ("diaper-refill", "Nong Noi Diaper Refill (monthly)", 890_00),
    ]

    static let stores = ["Siam Paragon", "CentralWorld", "Mega Bangna", "Central Festival Chiang Mai", "Central Phuket", "Central Khon Kaen"]

    /// Baht with two decimals, as a JSON number or a CSV cell: 1290.00.
    static func baht(_ satang: Int) -> String {
        let cents = satang % 100
        return "\(satang / 100).\(cents < 10 ? "0" : "")\(cents)"
    }
}
