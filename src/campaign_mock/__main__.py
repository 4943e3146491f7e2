from campaign_mock.cli import main

main()
