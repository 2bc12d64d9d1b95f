from zchuyot.cli import main

main()
