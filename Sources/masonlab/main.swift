import MasonlabCLI

MasonlabMain.run()
