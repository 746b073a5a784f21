/// Connected groups of nodes joined by edges (union-find): how a profile falls apart when edges go.
struct ConnectedGroups<Node: Hashable> {
    private var parent: [Node: Node] = [:]

    init(_ nodes: some Sequence<Node>) {
        for node in nodes { parent[node] = node }
    }

    /// The group's representative; a node never added is its own.
    mutating func root(_ node: Node) -> Node {
        guard var current = parent[node] else { return node }
        while let next = parent[current], next != current { current = next }
        var walker = node
        while let next = parent[walker], next != current {
            parent[walker] = current
            walker = next
        }
        return current
    }

    /// Joins two nodes' groups; edges to nodes not added are ignored.
    mutating func join(_ a: Node, _ b: Node) {
        guard parent[a] != nil, parent[b] != nil else { return }
        let (ra, rb) = (root(a), root(b))
        if ra != rb { parent[rb] = ra }
    }

    /// The groups, each a set of nodes.
    mutating func groups() -> [Set<Node>] {
        var byRoot: [Node: Set<Node>] = [:]
        for node in Array(parent.keys) { byRoot[root(node), default: []].insert(node) }
        return Array(byRoot.values)
    }
}
