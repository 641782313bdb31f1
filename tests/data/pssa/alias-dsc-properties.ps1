# pssa: PSAvoidUsingCmdletAliases=0
Configuration Web {
    Node localhost {
        File Index {
            DestinationPath = "C:\x"
            Type = "File"
        }
    }
}
