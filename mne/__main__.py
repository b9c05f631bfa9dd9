from mne.cli import main

raise SystemExit(main())
