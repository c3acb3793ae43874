from zslite.cli.main import main

main()
