import BacktestCommands

DCABacktestCommand.main()
