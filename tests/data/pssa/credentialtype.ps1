# pssa: PSUsePSCredentialType=1
function Credential([String]$Credential) { $Credential }
