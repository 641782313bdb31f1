<#
.SYNOPSIS
Checks that a list of web sites answers with HTTP 200 and reports the response time.
#>
param(
    [Parameter(Mandatory)]
    [uri[]]$Url
)

foreach ($u in $Url) {
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    try {
        $response = Invoke-WebRequest -Uri $u -UseBasicParsing -TimeoutSec 10
        $status = $response.StatusCode
    } catch {
        $status = $_.Exception.Message
    }
    $watch.Stop()
    [pscustomobject]@{ Url = $u; Status = $status; Milliseconds = $watch.ElapsedMilliseconds }
}
