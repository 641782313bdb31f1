# benign: sc-create-local
sc.exe create AppSvc binPath= "C:\Program Files\App\svc.exe" start= auto
sc.exe description AppSvc "App service"
