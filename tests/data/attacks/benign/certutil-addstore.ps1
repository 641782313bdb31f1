# benign: certutil-addstore
certutil -addstore Root C:\certs\corp-root.cer
certutil -verify C:\certs\corp-root.cer
