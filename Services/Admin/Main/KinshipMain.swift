import AdminCommands

/// The `kinship` executable. An explicit async entry point: from top-level code, `main()` would
/// resolve to ArgumentParser's synchronous variant, which refuses async commands.
@main
enum KinshipMain {
    static func main() async {
        await KinshipCommand.main()
    }
}
