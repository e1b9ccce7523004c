from seat_console.cli import main

raise SystemExit(main())
