# Show and clean up BITS jobs left by the update client.
bitsadmin /list /allusers /verbose
Get-BitsTransfer -AllUsers | Where-Object JobState -eq 'Error' | Remove-BitsTransfer
