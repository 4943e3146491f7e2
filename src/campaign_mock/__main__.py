from campaign_mock.cli import main

main(prog_name="campaign-mock")
