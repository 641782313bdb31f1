# Compare the hash of the downloaded ISO with the published one.
$iso = 'D:\ISO\server2022.iso'
certutil -hashfile $iso SHA256
$h = Get-FileHash -Path $iso -Algorithm SHA256
Write-Output $h.Hash
