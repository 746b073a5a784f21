import AdminCommands

await KinshipCommand.main()
