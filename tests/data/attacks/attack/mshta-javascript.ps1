# expect: T1218.005
mshta "javascript:a=new ActiveXObject('WScript.Shell');a.Run('calc');close()"
