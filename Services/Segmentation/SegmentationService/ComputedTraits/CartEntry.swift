/// A `Product Added` or `Checkout Started` of the open cart, with the value it gives the cart.
struct CartEntry: Sendable, Hashable {
    let messageId: String
    let at: Int64
    let isCheckout: Bool
    /// A checkout's `value` (else the sum of its products' price × quantity); an addition's price × quantity.
    let valueSatang: Int
}
