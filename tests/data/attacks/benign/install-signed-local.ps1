# Install the monitoring agent from the software share after checking its signature.
$installer = '\\fileserver01\software\agent\AgentSetup.exe'
$sig = Get-AuthenticodeSignature -FilePath $installer
if ($sig.Status -ne 'Valid') { throw "Bad signature on $installer" }
Start-Process -FilePath $installer -ArgumentList '/quiet', '/norestart' -Wait
