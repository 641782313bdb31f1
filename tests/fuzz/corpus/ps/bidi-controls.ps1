$s = 'a‮b'  # ⁦x⁩ ‏
<# ‭ #> Get-Date ؜
$v‎ = 1
"‪"
