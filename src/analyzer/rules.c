#include "config.h"
/* rules.c: the rule table, finding emission and the ps_analyze driver */

#include <fnmatch.h>
#include <pthread.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyzer/rules.h"

#define PSSA(n) "https://learn.microsoft.com/powershell/utility-modules/psscriptanalyzer/rules/" n
#define ABOUT(n) "https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/" n
#define E PS_SEV_ERROR
#define W PS_SEV_WARNING
#define I PS_SEV_INFORMATION
#define SEC PS_CAT_SECURITY
#define BP PS_CAT_BEST_PRACTICE
#define PERF PS_CAT_PERFORMANCE
#define RISK PS_CAT_RISK
#define OFF true	/* off by default, as in PSScriptAnalyzer */

const struct ps_rule_info ps_rule_table[R__MAX] = {
	[R_CMDLET_ALIAS] = { "PSAvoidUsingCmdletAliases", W, BP,
	    "An alias is used instead of the full command name.",
	    "Replace the alias with the full command name.", PSSA("avoidusingcmdletaliases") },
	[R_WRITE_HOST] = { "PSAvoidUsingWriteHost", W, BP,
	    "Write-Host output cannot be captured, redirected or suppressed.",
	    "Use Write-Output for data, Write-Verbose or Write-Information for messages (not "
	    "applied by --fix: Write-Output sends the text down the pipeline, so a caller "
	    "receives it as output; Write-Verbose shows it only with -Verbose).",
	    PSSA("avoidusingwritehost") },
	[R_POSITIONAL] = { "PSAvoidUsingPositionalParameters", I, BP,
	    "A command is called with three or more positional arguments.",
	    "Name every parameter (-Path x -Destination y).", PSSA("avoidusingpositionalparameters") },
	[R_GLOBAL_VARS] = { "PSAvoidGlobalVars", W, BP,
	    "A global variable is used.",
	    "Pass values as parameters or use script scope.", PSSA("avoidglobalvars") },
	[R_EMPTY_CATCH] = { "PSAvoidUsingEmptyCatchBlock", W, BP,
	    "A catch block is empty, so errors are silently swallowed.",
	    "Handle the error, or at least log it with Write-Error or Write-Warning.",
	    PSSA("avoidusingemptycatchblock") },
	[R_APPROVED_VERBS] = { "PSUseApprovedVerbs", W, BP,
	    "A function uses a verb that is not in Get-Verb.",
	    "Rename the function with an approved verb (see Get-Verb).", PSSA("useapprovedverbs") },
	[R_SINGULAR_NOUNS] = { "PSUseSingularNouns", W, BP,
	    "A function's noun is plural.",
	    "Use a singular noun (Get-Item, not Get-Items).", PSSA("usesingularnouns") },
	[R_SHOULD_PROCESS_STATE] = { "PSUseShouldProcessForStateChangingFunctions", W, BP,
	    "A state-changing function (New, Set, Remove, Start, Stop, Restart, Reset, Update) "
	    "does not support -WhatIf and -Confirm.",
	    "Add [CmdletBinding(SupportsShouldProcess)] and call $PSCmdlet.ShouldProcess().",
	    PSSA("useshouldprocessforstatechangingfunctions") },
	[R_SWITCH_DEFAULT] = { "PSAvoidDefaultValueSwitchParameter", W, BP,
	    "A switch parameter defaults to $true.",
	    "Let switches default to $false and invert the parameter's meaning if needed.",
	    PSSA("avoiddefaultvalueswitchparameter") },
	[R_DECLARED_VARS] = { "PSUseDeclaredVarsMoreThanAssignments", W, BP,
	    "A variable is assigned but never used.",
	    "Remove the assignment or use the variable.",
	    PSSA("usedeclaredvarsmorethanassignments") },
	[R_NULL_COMPARISON] = { "PSPossibleIncorrectComparisonWithNull", W, BP,
	    "$null is on the right side of a comparison; with a collection on the left the "
	    "comparison filters instead of testing for null.",
	    "Put $null on the left: $null -eq $value.", PSSA("possibleincorrectcomparisonwithnull") },
	[R_AUTOMATIC_VAR] = { "PSAvoidAssignmentToAutomaticVariable", W, BP,
	    "An automatic variable is assigned or used as a parameter name.",
	    "Use another variable name.", PSSA("avoidassignmenttoautomaticvariable") },
	[R_WMI_CMDLET] = { "PSAvoidUsingWMICmdlet", W, BP,
	    "A WMI cmdlet is used; they are deprecated and absent from PowerShell 7.",
	    "Use the CIM cmdlets (Get-CimInstance, Invoke-CimMethod, ...).",
	    PSSA("avoidusingwmicmdlet") },
	[R_COMMENT_HELP] = { "PSProvideCommentHelp", I, BP,
	    "A function has no comment-based help.",
	    "Add a <# .SYNOPSIS ... #> block before or at the start of the function.",
	    PSSA("providecommenthelp") },
	[R_TRAILING_WS] = { "PSAvoidTrailingWhitespace", I, BP,
	    "A line ends with whitespace.", "Remove the trailing whitespace.",
	    PSSA("avoidtrailingwhitespace") },
	[R_USER_PASS_PARAMS] = { "PSAvoidUsingUsernameAndPasswordParams", E, BP,
	    "A function takes a user name and a password as separate parameters.",
	    "Take one [PSCredential] parameter instead.",
	    PSSA("avoidusingusernameandpasswordparams") },
	[R_PSCREDENTIAL_TYPE] = { "PSUsePSCredentialType", W, BP,
	    "A Credential parameter is not of type PSCredential.",
	    "Declare it [System.Management.Automation.PSCredential] with [Credential()].",
	    PSSA("usepscredentialtype") },
	[R_MISLEADING_BACKTICK] = { "PSMisleadingBacktick", W, BP,
	    "A backtick is followed by whitespace, so it escapes the space and not the newline.",
	    "Remove the whitespace after the backtick, or use splatting.",
	    PSSA("misleadingbacktick") },
	[R_SEMICOLONS] = { "PSAvoidSemicolonsAsLineTerminators", W, BP,
	    "A line ends with a semicolon.", "Remove the semicolon.",
	    PSSA("avoidsemicolonsaslineterminators"), OFF },
	[R_LONG_LINES] = { "PSAvoidLongLines", W, BP,
	    "A line is longer than 120 characters.", "Break the line (splatting helps).",
	    PSSA("avoidlonglines"), OFF },
	[R_ASSIGN_IN_COND] = { "PSPossibleIncorrectUsageOfAssignmentOperator", I, BP,
	    "'=' is used in a condition; it assigns instead of comparing.",
	    "Use -eq to compare, or wrap the assignment in another pair of parentheses.",
	    PSSA("possibleincorrectusageofassignmentoperator") },
	[R_REDIRECT_IN_COND] = { "PSPossibleIncorrectUsageOfRedirectionOperator", W, BP,
	    "'>' is used in a condition; it redirects to a file instead of comparing.",
	    "Use -gt (or -ge) to compare.", PSSA("possibleincorrectusageofredirectionoperator") },
	[R_BOM] = { "PSUseBOMForUnicodeEncodedFile", W, BP,
	    "The file has non-ASCII characters but no byte order mark; Windows PowerShell 5.1 "
	    "reads it as ANSI.",
	    "Save the file as UTF-8 with BOM.", PSSA("usebomforunicodeencodedfile") },
	[R_RESERVED_CHAR] = { "PSReservedCmdletChar", W, BP,
	    "A function name contains a reserved character.", "Rename the function.",
	    PSSA("reservedcmdletchar") },
	[R_RESERVED_PARAMS] = { "PSReservedParams", E, BP,
	    "An advanced function declares a common parameter name.",
	    "Rename the parameter; common parameters are added automatically.",
	    PSSA("reservedparams") },
	[R_SUPPORTS_SP] = { "PSUseSupportsShouldProcess", W, BP,
	    "A function declares -WhatIf or -Confirm by hand.",
	    "Use [CmdletBinding(SupportsShouldProcess)] instead.", PSSA("usesupportsshouldprocess") },
	[R_SHOULD_PROCESS] = { "PSShouldProcess", W, BP,
	    "SupportsShouldProcess and calls to ShouldProcess do not match.",
	    "Declare SupportsShouldProcess and call $PSCmdlet.ShouldProcess() before changing state.",
	    PSSA("shouldprocess") },
	[R_SHOULD_CONTINUE] = { "PSAvoidShouldContinueWithoutForce", W, BP,
	    "ShouldContinue is called but the function has no -Force switch.",
	    "Add a [switch]$Force parameter and skip the prompt when it is set.",
	    PSSA("avoidshouldcontinuewithoutforce") },
	[R_MULTIPLE_TYPES] = { "PSAvoidMultipleTypeAttributes", W, BP,
	    "A parameter has more than one type constraint.", "Keep one type.",
	    PSSA("avoidmultipletypeattributes") },
	[R_EMPTY_HELP_MESSAGE] = { "PSAvoidNullOrEmptyHelpMessageAttribute", W, BP,
	    "A HelpMessage is empty or $null.", "Write a help message or remove the argument.",
	    PSSA("avoidnulloremptyhelpmessageattribute") },
	[R_HASHTABLE_LITERAL] = { "PSUseLiteralInitializerForHashtable", W, BP,
	    "A hashtable is created with New-Object or ::new(), which is case-sensitive.",
	    "Use the literal @{}.", PSSA("useliteralinitializerforhashtable") },
	[R_EXCLAIM] = { "PSAvoidExclaimOperator", I, BP,
	    "'!' is used for negation.", "Use -not.", PSSA("avoidexclaimoperator"), OFF },
	[R_COMPAT_CMDLETS] = { "PSUseCompatibleCmdlets", W, BP,
	    "A command or parameter exists only in Windows PowerShell 5.1 or only in PowerShell 7.",
	    "Use a command available in both, or declare #Requires -Version / -PSEdition.",
	    PSSA("usecompatiblecmdlets"), OFF },
	[R_COMPAT_SYNTAX] = { "PSUseCompatibleSyntax", W, BP,
	    "Syntax that needs PowerShell 7 (??, ?:, &&, ||, ?., clean).",
	    "Rewrite for 5.1 or declare #Requires -Version 7.", PSSA("usecompatiblesyntax"), OFF },
	[R_PROCESS_BLOCK] = { "PSUseProcessBlockForPipelineCommand", W, BP,
	    "A parameter takes pipeline input but the function has no process block.",
	    "Put the per-item work in a process { } block.",
	    PSSA("useprocessblockforpipelinecommand") },
	[R_OVERWRITE_BUILTIN] = { "PSAvoidOverwritingBuiltInCmdlets", W, BP,
	    "A function has the name of a built-in cmdlet and hides it.", "Rename the function.",
	    PSSA("avoidoverwritingbuiltincmdlets") },
	[R_CORRECT_CASING] = { "PSUseCorrectCasing", I, BP,
	    "A cmdlet name is not written with its documented casing.",
	    "Write the name as documented.", PSSA("usecorrectcasing"), OFF },
	[R_MANDATORY_DEFAULT] = { "PSAvoidDefaultValueForMandatoryParameter", W, BP,
	    "A mandatory parameter has a default value, which is never used.",
	    "Remove the default or make the parameter optional.",
	    PSSA("avoiddefaultvalueformandatoryparameter") },
	[R_UNUSED_PARAM] = { "PSReviewUnusedParameter", W, BP,
	    "A parameter is never used in the function body.", "Use or remove the parameter.",
	    PSSA("reviewunusedparameter") },
	[R_FORMAT_NOT_LAST] = { "PSSAvoidFormatInMiddleOfPipeline", W, BP,
	    "A Format-* cmdlet is not the last command of the pipeline; later commands get "
	    "formatting objects, not data.",
	    "Move Format-* to the end, or use Select-Object.", NULL },
	[R_INVOKE_EXPRESSION] = { "PSAvoidUsingInvokeExpression", W, SEC,
	    "Invoke-Expression runs a string as code; with any outside input it is code injection.",
	    "Call the command directly, use the call operator & with arguments, or splatting.",
	    PSSA("avoidusinginvokeexpression") },
	[R_PLAINTEXT_PASSWORD] = { "PSAvoidUsingPlainTextForPassword", W, SEC,
	    "A password parameter is a plain string.",
	    "Use [SecureString] or [PSCredential] (not applied by --fix: callers must then pass a "
	    "SecureString, and code that uses the value as text must convert it).",
	    PSSA("avoidusingplaintextforpassword") },
	[R_CONVERTTO_SECURESTRING] = { "PSAvoidUsingConvertToSecureStringWithPlainText", E, SEC,
	    "ConvertTo-SecureString -AsPlainText: the secret is in plain text in the script or "
	    "its input.",
	    "Read the secret with Read-Host -AsSecureString, Get-Credential or a secret store.",
	    PSSA("avoidusingconverttosecurestringwithplaintext") },
	[R_COMPUTERNAME_HARDCODED] = { "PSAvoidUsingComputerNameHardcoded", E, SEC,
	    "-ComputerName is a hard-coded remote host.", "Take the computer name as a parameter.",
	    PSSA("avoidusingcomputernamehardcoded") },
	[R_BROKEN_HASH] = { "PSAvoidUsingBrokenHashAlgorithms", W, SEC,
	    "MD5 or SHA-1 is used; both are broken for security purposes.",
	    "Use SHA256 or stronger (not applied by --fix: the hash values change, so hashes "
	    "stored or compared elsewhere must be computed again).",
	    PSSA("avoidusingbrokenhashalgorithms") },
	[R_ALLOW_UNENCRYPTED] = { "PSAvoidUsingAllowUnencryptedAuthentication", W, SEC,
	    "-AllowUnencryptedAuthentication sends credentials over unencrypted HTTP.",
	    "Use HTTPS and drop the switch.", PSSA("avoidusingallowunencryptedauthentication") },
	[R_DOWNLOAD_CRADLE] = { "PSSAvoidDownloadCradle", E, SEC,
	    "Code is downloaded and executed in memory (download cradle).",
	    "Download to a file, verify its signature or hash, review it, then run it.",
	    ABOUT("about_signing") },
	[R_ENCODED_COMMAND] = { "PSSAvoidEncodedCommand", E, SEC,
	    "PowerShell is started with -EncodedCommand, hiding the code it runs.",
	    "Run a script file, or pass the command in clear text.",
	    "https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_powershell_exe" },
	[R_BASE64_EXEC] = { "PSSAvoidBase64Execution", E, SEC,
	    "Base64-decoded data is executed or loaded as code.",
	    "Ship the code in clear text, signed.", NULL },
	[R_INJECTION_API] = { "PSSAvoidProcessInjectionApi", E, SEC,
	    "Add-Type or reflection declares Windows APIs used for process injection or "
	    "keylogging (VirtualAlloc, WriteProcessMemory, CreateRemoteThread, ...).",
	    "Remove the P/Invoke declarations; use supported cmdlets.", NULL },
	[R_REFLECTION_LOAD] = { "PSSAvoidReflectionAssemblyLoad", W, SEC,
	    "An assembly is loaded from bytes or a path through reflection, bypassing module "
	    "loading and signing checks.",
	    "Use Add-Type -Path or Import-Module with a signed assembly.", NULL },
	[R_AMSI_BYPASS] = { "PSSAvoidAmsiBypass", E, SEC,
	    "The script tampers with AMSI (the Antimalware Scan Interface).",
	    "Remove the AMSI tampering; there is no legitimate use in a script.", NULL },
	[R_DEFENDER_TAMPERING] = { "PSSAvoidDefenderTampering", E, SEC,
	    "Microsoft Defender protection is disabled or excluded.",
	    "Leave Defender settings to policy; never disable real-time protection in a script.",
	    NULL },
	[R_FIREWALL_TAMPERING] = { "PSSAvoidFirewallTampering", E, SEC,
	    "The Windows firewall is disabled.",
	    "Open only the ports needed with New-NetFirewallRule.", NULL },
	[R_EXECUTION_POLICY] = { "PSSAvoidExecutionPolicyBypass", W, SEC,
	    "The execution policy is bypassed or set to Unrestricted.",
	    "Sign the script and use RemoteSigned or AllSigned.", ABOUT("about_execution_policies") },
	[R_CERT_BYPASS] = { "PSSAvoidCertificateValidationBypass", E, SEC,
	    "TLS certificate validation is disabled, allowing man-in-the-middle attacks.",
	    "Trust the issuing CA instead of disabling validation.", NULL },
	[R_HARDCODED_SECRET] = { "PSSAvoidHardcodedSecrets", E, SEC,
	    "A password, token or key is written in the script.",
	    "Read secrets at run time (Get-Credential, SecretManagement, environment).",
	    "https://learn.microsoft.com/powershell/utility-modules/secretmanagement/overview" },
	[R_RUN_KEY] = { "PSSAvoidRunKeyPersistence", E, SEC,
	    "The script writes an autostart registry key (Run, RunOnce, Winlogon, IFEO).",
	    "Install software through a package or Group Policy instead.", NULL },
	[R_SCHEDULED_TASK] = { "PSSReviewScheduledTaskPersistence", W, SEC,
	    "The script creates a scheduled task or job (a persistence mechanism).",
	    "Make sure the task is intended and documented; run it with least privilege.", NULL },
	[R_WMI_SUBSCRIPTION] = { "PSSAvoidWmiEventSubscription", E, SEC,
	    "A permanent WMI event subscription is created (filter, consumer, binding).",
	    "Remove the subscription; it is a common fileless persistence technique.", NULL },
	[R_SERVICE_CREATION] = { "PSSReviewServiceCreation", W, SEC,
	    "The script creates or reconfigures a Windows service binary.",
	    "Make sure the service is intended; install it from a signed package.", NULL },
	[R_CREDENTIAL_DUMPING] = { "PSSAvoidCredentialDumping", E, SEC,
	    "The script dumps credentials (LSASS memory, SAM/SECURITY hives, NTDS, Mimikatz).",
	    "Remove the credential access.", NULL },
	[R_LOG_CLEARING] = { "PSSAvoidEventLogClearing", E, SEC,
	    "Event logs or audit policy are cleared, destroying evidence.",
	    "Archive logs instead of clearing them.", NULL },
	[R_SHADOW_COPY] = { "PSSAvoidShadowCopyDeletion", E, SEC,
	    "Volume shadow copies or backups are deleted (typical of ransomware).",
	    "Remove the deletion; manage backups with their own tools.", NULL },
	[R_DESTRUCTIVE] = { "PSSAvoidDestructiveDiskOperations", E, SEC,
	    "Disks, volumes or system folders are wiped or formatted.",
	    "Target a specific, checked path and require -Confirm.", NULL },
	[R_LOCAL_ADMIN] = { "PSSAvoidLocalAdminCreation", E, SEC,
	    "A user is added to the local Administrators group.",
	    "Grant only the rights needed, through Group Policy or JEA.", NULL },
	[R_HIDDEN_WINDOW] = { "PSSAvoidHiddenWindow", W, SEC,
	    "A process is started with a hidden window.", "Run visibly, or as a service or task.",
	    NULL },
	[R_ATK_SHELL] = { "PSSAvoidInterpreterWithAttackCode", E, SEC,
	    "A program started by the script (PowerShell, cmd, a process API) is handed code that "
	    "is itself an attack.", "Remove the launch; run reviewed code from a signed file.", NULL },
	[R_ATK_PERSIST] = { "PSSAvoidPersistedAttackCommand", E, SEC,
	    "A command line stored for later (Run key, scheduled task, service, WMI consumer) is "
	    "itself an attack.", "Remove the autostart entry and what it runs.", NULL },
	[R_ATK_DOWNLOAD_EXEC] = { "PSSAvoidDownloadThenExecute", E, SEC,
	    "A file is downloaded and then executed without a hash or signature check.",
	    "Ship the program in a signed package, or verify its signature before running it.",
	    NULL },
	[R_ATK_LOLBIN] = { "PSSAvoidSystemBinaryProxy", E, SEC,
	    "A Windows binary (certutil, bitsadmin, mshta, regsvr32, rundll32, msiexec, wmic) is "
	    "used to fetch or run code.", "Download with Invoke-WebRequest to a file you verify; "
	    "install from a local, signed package.", NULL },
	[R_OBF_BACKTICK] = { "PSSObfuscationBacktick", W, SEC,
	    "Backticks inside a command or member name hide it from simple searches.",
	    "Write the name plainly.", NULL },
	[R_OBF_REVERSE] = { "PSSObfuscationStringReversal", W, SEC,
	    "A string is reversed at run time, a common way to hide code.",
	    "Write the string plainly.", NULL },
	[R_OBF_CHARCODES] = { "PSSObfuscationCharCodes", W, SEC,
	    "Text is built from character codes, hiding what it says.",
	    "Write the string plainly.", NULL },
	[R_OBF_FORMAT] = { "PSSObfuscationFormatOperator", W, SEC,
	    "The format operator reorders string fragments, hiding what they say.",
	    "Write the string plainly.", NULL },
	[R_OBF_CASE] = { "PSSObfuscationRandomCase", W, SEC,
	    "A name is written in random upper and lower case.", "Write the name plainly.", NULL },
	[R_OBF_ENTROPY] = { "PSSObfuscationHighEntropyString", I, SEC,
	    "A long string has very high entropy (encrypted, compressed or encoded data).",
	    "Explain the data, or load it from a reviewed file.", NULL },
	[R_OBF_BASE64] = { "PSSObfuscationBase64Blob", W, SEC,
	    "A long Base64 blob is embedded in the script.",
	    "Ship the payload as a reviewed file instead.", NULL },
	[R_OBF_DYNAMIC_NAME] = { "PSSObfuscationDynamicCommandName", W, SEC,
	    "A command name is computed at run time.",
	    "Call the command by its name.", NULL },
	[R_PERF_ARRAY_ADD] = { "PSSAvoidArrayAdditionInLoop", W, PERF,
	    "'+=' on an array inside a loop copies the whole array each time (quadratic).",
	    "Collect the loop's output ($r = foreach (...) { ... }) or use a "
	    "[System.Collections.Generic.List[object]].", NULL },
	[R_PERF_FILTER_LEFT] = { "PSSUseFilterLeft", I, PERF,
	    "Objects are fetched and then filtered with Where-Object.",
	    "Filter at the source with -Filter, -Include or the provider's parameters.", NULL },
	[R_PERF_OUT_NULL] = { "PSSAvoidOutNull", I, PERF,
	    "Piping to Out-Null is much slower than assigning to $null.",
	    "Use $null = <expression> or [void].", NULL },
	[R_PERF_NEW_PSOBJECT] = { "PSSUsePSCustomObjectLiteral", I, PERF,
	    "New-Object PSObject -Property is slower and unordered.",
	    "Use [pscustomobject]@{ ... }.", NULL },
	[R_PERF_STRING_CONCAT] = { "PSSAvoidStringConcatenationInLoop", I, PERF,
	    "A string is built with += inside a loop.",
	    "Use -join, a StringBuilder, or collect the parts in a list.", NULL },
	[R_RISK_REMOTE] = { "PSSReviewRemoteExecution", W, RISK,
	    "Commands run on remote computers.",
	    "Check the target list and use JEA endpoints where possible.", NULL },
	[R_RISK_RECURSIVE_DELETE] = { "PSSReviewRecursiveForceDelete", W, RISK,
	    "Files are deleted recursively with -Force.",
	    "Validate the path first, and support -WhatIf.", NULL },
	[R_RISK_RESTART] = { "PSSReviewSystemRestart", W, RISK,
	    "The computer is restarted or shut down.", "Warn users and require -Confirm.", NULL },
	[R_RISK_SERVICE_CHANGE] = { "PSSReviewServiceChange", I, RISK,
	    "Services are stopped, started or reconfigured.", "Support -WhatIf.", NULL },
	[R_RISK_PROCESS_KILL] = { "PSSReviewProcessTermination", I, RISK,
	    "Processes are terminated.", "Match processes precisely; avoid -Force.", NULL },
	[R_RISK_REGISTRY_WRITE] = { "PSSReviewRegistryChange", I, RISK,
	    "The registry is modified.", "Back up the keys first and support -WhatIf.", NULL },
	[R_RISK_ACCOUNT_CHANGE] = { "PSSReviewAccountChange", W, RISK,
	    "User accounts or passwords are created or changed.",
	    "Make sure the change is intended and audited.", NULL },
	[R_RISK_NETWORK] = { "PSSReviewNetworkAccess", I, RISK,
	    "The script talks to the network.", "Use HTTPS and check what is sent.", NULL },
	[R_RISK_ELEVATION] = { "PSSReviewElevation", I, RISK,
	    "The script needs administrator rights.", "Run it elevated only when needed.", NULL },
	[R_BIDI_CONTROL] = { "PSSAvoidBidirectionalControlCharacters", E, SEC,
	    "A Unicode bidirectional control character is hidden in the source: an editor or a "
	    "review shows the text around it in another order than PowerShell reads it "
	    "(\"Trojan Source\", CVE-2021-42574).",
	    "Remove the character; where a string needs it, write it as an escape (\"`u{202E}\").",
	    "https://trojansource.codes/" },
	[R_GLOBAL_ALIASES] = { "PSAvoidGlobalAliases", W, BP,
	    "An alias is created in the global scope (New-Alias -Scope Global).",
	    "Create the alias without -Scope Global, or export it from the module.",
	    PSSA("avoidglobalaliases") },
	[R_GLOBAL_FUNCTIONS] = { "PSAvoidGlobalFunctions", W, BP,
	    "A function is defined in the global scope (function global:Name).",
	    "Define the function without the global: scope modifier.",
	    PSSA("avoidglobalfunctions") },
	[R_EMPTY_MEMBERS] = { "PSAvoidInvokingEmptyMembers", W, BP,
	    "A member name is computed by an expression ($s.('len' + 'gth')).",
	    "Invoke the member by its constant name.", PSSA("avoidinvokingemptymembers") },
	[R_RESERVED_WORDS] = { "PSAvoidReservedWordsAsFunctionNames", W, BP,
	    "A function is named with a reserved word of the language.",
	    "Rename the function (Verb-Noun).", PSSA("avoidreservedwordsasfunctionnames") },
	[R_DEPRECATED_MANIFEST] = { "PSAvoidUsingDeprecatedManifestFields", W, BP,
	    "A module manifest uses the deprecated ModuleToProcess field.",
	    "Use RootModule instead.", PSSA("avoidusingdeprecatedmanifestfields") },
	[R_MANIFEST_FIELD] = { "PSMissingModuleManifestField", W, BP,
	    "A module manifest has no ModuleVersion.",
	    "Add ModuleVersion = '1.0.0' (New-ModuleManifest writes every field).",
	    PSSA("missingmodulemanifestfield") },
	[R_EXPORT_FIELDS] = { "PSUseToExportFieldsInManifest", W, BP,
	    "A module manifest exports with a wildcard or $null, which slows module discovery.",
	    "List the exported names explicitly (@() for none).",
	    PSSA("usetoexportfieldsinmanifest") },
	[R_CMDLET_CORRECTLY] = { "PSUseCmdletCorrectly", W, BP,
	    "A cmdlet is called without the mandatory parameters of any of its parameter sets.",
	    "Pass the mandatory parameters.", PSSA("usecmdletcorrectly") },
	[R_OUTPUT_TYPE] = { "PSUseOutputTypeCorrectly", I, BP,
	    "An advanced function returns a type its [OutputType()] does not declare.",
	    "Declare the type with [OutputType([Type])].", PSSA("useoutputtypecorrectly") },
	[R_USING_SCOPE] = { "PSUseUsingScopeModifierInNewRunspaces", W, BP,
	    "A script block run in a new runspace (remote, job, -Parallel) reads a variable it "
	    "does not set, without $using:.",
	    "Write $using:name, or set the variable inside the block.",
	    PSSA("useusingscopemodifierinnewrunspaces") },
	[R_UTF8_HELP] = { "PSUseUTF8EncodingForHelpFile", W, BP,
	    "An about_*.help.txt help file is not UTF-8.", "Save the help file as UTF-8.",
	    PSSA("useutf8encodingforhelpfile") },
	[R_DSC_STANDARD] = { "PSDSCStandardDSCFunctionsInResource", E, BP,
	    "A DSC resource lacks Get, Set or Test (-TargetResource functions or class methods).",
	    "Implement Get-, Set- and Test-TargetResource (or Get(), Set(), Test()).",
	    PSSA("dscstandarddscfunctionsinresource") },
	[R_DSC_MANDATORY] = { "PSDSCUseIdenticalMandatoryParametersForDSC", E, BP,
	    "A DSC resource function lacks a mandatory parameter of another one.",
	    "Declare the same mandatory (key) parameters in the three functions.",
	    PSSA("dscuseidenticalmandatoryparametersfordsc") },
	[R_DSC_IDENTICAL] = { "PSDSCUseIdenticalParametersForDSC", E, BP,
	    "Set-TargetResource and Test-TargetResource take different parameters.",
	    "Give both functions the same parameters.", PSSA("dscuseidenticalparametersfordsc") },
	[R_DSC_RETURN_TYPES] = { "PSDSCReturnCorrectTypesForDSCFunctions", I, BP,
	    "A DSC function returns the wrong type (Get: a hashtable or the class, Test: a "
	    "Boolean, Set: nothing).",
	    "Return the documented type.", PSSA("dscreturncorrecttypesfordscfunctions") },
	[R_DSC_VERBOSE] = { "PSDSCUseVerboseMessageInDSCResource", E, BP,
	    "A DSC resource function writes no Write-Verbose message.",
	    "Report what the function does with Write-Verbose.",
	    PSSA("dscuseverbosemessageindscresource") },
	[R_DQ_CONSTANT] = { "PSAvoidUsingDoubleQuotesForConstantString", I, BP,
	    "A constant string (nothing to expand, nothing escaped, no single quote) is written "
	    "in double quotes.",
	    "Write it in single quotes.", PSSA("avoidusingdoublequotesforconstantstring"), OFF },
	[R_OPEN_BRACE] = { "PSPlaceOpenBrace", W, BP,
	    "An open brace is not placed in the configured style (by default on the line of its "
	    "keyword, followed by a new line).",
	    "Put the brace on the line of its keyword and start the block on the next line.",
	    PSSA("placeopenbrace"), OFF },
	[R_CLOSE_BRACE] = { "PSPlaceCloseBrace", W, BP,
	    "A close brace is not placed in the configured style (by default on a line of its own, "
	    "with else, catch and finally on the next line).",
	    "Put the close brace on its own line.", PSSA("placeclosebrace"), OFF },
	[R_INDENTATION] = { "PSUseConsistentIndentation", W, BP,
	    "A line is not indented by its nesting level (by default four spaces a level).",
	    "Indent each line by its level.", PSSA("useconsistentindentation"), OFF },
	[R_WHITESPACE] = { "PSUseConsistentWhitespace", W, BP,
	    "Whitespace around a brace, parenthesis, operator, separator or pipe is not one space.",
	    "Put one space there.", PSSA("useconsistentwhitespace"), OFF },
	[R_ALIGN_ASSIGNMENT] = { "PSAlignAssignmentStatement", W, BP,
	    "The '=' of the keys of a multi-line hashtable or the members of an enum are not "
	    "aligned.",
	    "Align the '=' one column after the widest name.", PSSA("alignassignmentstatement"),
	    OFF },
	[R_DSC_EXAMPLES] = { "PSDSCDscExamplesPresent", I, BP,
	    "A DSC resource has no example: no file naming it in the Examples folder (beside "
	    "DSCResources, or beside the class-based resource's file).",
	    "Add an example configuration named after the resource to that Examples folder.",
	    PSSA("dscdscexamplespresent") },
	[R_DSC_TESTS] = { "PSDSCDscTestsPresent", I, BP,
	    "A DSC resource has no test: no file naming it in the Tests folder (beside "
	    "DSCResources, or beside the class-based resource's file).",
	    "Add tests named after the resource to that Tests folder.",
	    PSSA("dscdsctestspresent") },
};

const char *const ps_severity_names[PS_SEV__MAX] = { "information", "warning", "error" };
const char *const ps_category_names[PS_CAT__MAX] = {
	"securityIssues", "bestPracticeViolations", "performanceInsights", "potentialRisks"
};

enum ps_severity
ps_severity_parse(const char *s)
{
	if (s == NULL)
		return PS_SEV__MAX;
	if (strcasecmp(s, "info") == 0)
		return PS_SEV_INFORMATION;
	for (int i = 0; i < PS_SEV__MAX; i++)
		if (strcasecmp(s, ps_severity_names[i]) == 0)
			return (enum ps_severity)i;
	return PS_SEV__MAX;
}

const struct ps_rule_info *
ps_rules(size_t *n)
{
	*n = R__MAX;
	return ps_rule_table;
}

const struct ps_rule_info *
ps_rule_find(const char *id)
{
	for (size_t i = 0; i < R__MAX; i++)
		if (strcasecmp(ps_rule_table[i].id, id) == 0)
			return &ps_rule_table[i];
	return NULL;
}

/* Messages whose only conversions are %s (non-NULL) and %%, the usual case, are copied
 * piece by piece into tmp (at most cap - 1 bytes); returns the length, or -1 when fmt needs
 * vsnprintf (another conversion, a NULL string, or a longer message). */
static int
format_plain(char *tmp, size_t cap, const char *fmt, va_list ap)
{
	size_t n = 0;
	va_list ap2;
	int ok = 1;

	va_copy(ap2, ap);
	for (const char *f = fmt; *f != '\0';) {
		const char *piece = f, *pct = strchrnul(f, '%');
		size_t len = (size_t)(pct - f);

		f = pct;
		if (len == 0 && f[1] == '%') {		/* "%%": one % */
			len = 1;
			f += 2;
		} else if (len == 0 && f[1] == 's') {
			f += 2;
			if ((piece = va_arg(ap2, const char *)) == NULL) {
				ok = 0;
				break;
			}
			len = strlen(piece);
		} else if (len == 0) {
			ok = 0;		/* another conversion */
			break;
		}
		if (len >= cap - n) {
			ok = 0;
			break;
		}
		memcpy(tmp + n, piece, len);
		n += len;
	}
	va_end(ap2);
	if (!ok)
		return -1;
	tmp[n] = '\0';
	return (int)n;
}

/* The formatted message in the arena: a %s-only format copied directly, otherwise one
 * vsnprintf into a stack buffer for the usual short message, a second one for a long one. */
static char *
format_message(struct ps_ast *ast, const char *fmt, va_list ap)
{
	char tmp[512], *m;
	va_list ap2;
	int n;

	if ((n = format_plain(tmp, sizeof(tmp), fmt, ap)) >= 0)
		return ps_ast_strndup(ast, tmp, (size_t)n);
	va_copy(ap2, ap);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap2);
	va_end(ap2);
	if (n < 0)
		pss_die("vsnprintf failed");
	if ((size_t)n < sizeof(tmp))
		return ps_ast_strndup(ast, tmp, (size_t)n);
	m = ps_ast_bytes(ast, (size_t)n + 1);
	vsnprintf(m, (size_t)n + 1, fmt, ap);
	return m;
}

static void
emit_v(struct ps_ctx *c, enum ps_rule r, enum ps_severity sev, size_t start, size_t end,
    uint32_t line, uint32_t col, uint32_t eline, uint32_t ecol, const char *sugg,
    const char *fmt, va_list ap)
{
	struct ps_analysis *a = c->a;
	struct ps_analysis_priv *p = c->p;
	struct ps_finding *f;
	size_t n;

	if (!p->enabled[r])
		return;
	if (sev == PS_SEV__MAX)
		sev = ps_rule_table[r].severity;
	/* One finding per rule and region: passes that see the same spot twice (the tree and
	 * the text patterns) keep the first. */
	for (size_t i = a->nfindings; i > 0 && i + 16 > a->nfindings; i--) {
		const struct ps_finding *o = &a->findings[i - 1];

		if (o->rule == &ps_rule_table[r] && ((start >= o->start && end <= o->end &&
		    (end > start || o->start == start)) || (o->start >= start && o->end <= end &&
		    o->end > o->start)))
			return;
	}
	if (p->per_rule[r] >= PS_RULE_CAP) {
		p->dropped++;
		return;
	}
	if (++p->per_rule[r] == PS_RULE_CAP)
		p->any_capped = true;
	if (a->nfindings == p->capfindings) {
		p->capfindings = p->capfindings ? p->capfindings * 2 : 8;	/* 8: a small malloc */
		a->findings = xrealloc(a->findings, p->capfindings * sizeof(*a->findings));
	}
	f = &a->findings[a->nfindings++];
	memset(f, 0, sizeof(*f));
	f->rule = &ps_rule_table[r];
	f->severity = sev;
	f->message = format_message(p->ast, fmt, ap);
	f->suggestion = sugg ? ps_ast_strndup(p->ast, sugg, strlen(sugg)) : ps_rule_table[r].suggestion;
	if (end > c->len)
		end = c->len;
	if (start > end)
		start = end;
	f->start = start;
	f->end = end;
	n = utf8_cut(c->src + start, end - start, 200);
	f->extent = ps_ast_strndup(p->ast, c->src + start, n);
	f->line = line;
	f->column = col;
	f->end_line = eline;
	f->end_column = ecol;
}

void
ps_rule_emit(struct ps_ctx *c, enum ps_rule r, enum ps_severity sev, const struct ps_extent *e,
    const char *sugg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit_v(c, r, sev, e->start, e->end, e->line, e->column, e->end_line, e->end_column, sugg,
	    fmt, ap);
	va_end(ap);
}

/*
 * Line and column of a byte offset. ps_position counts characters from the start of the
 * line, which is quadratic for many findings on one very long (minified) line; continue
 * from the previous answer when the offset is further on the same line.
 */
static void
position(struct ps_ctx *c, size_t off, uint32_t *line, uint32_t *col)
{
	struct ps_analysis_priv *p = c->p;
	const struct ps_tokens *t = &c->ast->toks;

	if (p->pos_valid && off >= p->pos_off && p->pos_line >= 1 &&
	    (p->pos_line >= t->nlines || off < t->line_starts[p->pos_line])) {
		uint32_t k = p->pos_col;

		for (size_t i = p->pos_off; i < off && i < c->len; i++)
			if (((unsigned char)c->src[i] & 0xC0) != 0x80)
				k++;
		*line = p->pos_line;
		*col = k;
	} else {
		ps_position(t, off, line, col);
	}
	p->pos_valid = true;
	p->pos_off = off;
	p->pos_line = *line;
	p->pos_col = *col;
}

void
ps_rule_emit_range(struct ps_ctx *c, enum ps_rule r, enum ps_severity sev, size_t start, size_t end,
    const char *sugg, const char *fmt, ...)
{
	va_list ap;
	uint32_t l, col, el, ec;

	if (!c->p->enabled[r])
		return;
	if (c->p->per_rule[r] >= PS_RULE_CAP) {
		c->p->dropped++;
		return;
	}
	position(c, start, &l, &col);
	position(c, end, &el, &ec);
	va_start(ap, fmt);
	emit_v(c, r, sev, start, end, l, col, el, ec, sugg, fmt, ap);
	va_end(ap);
}

void
ps_rule_fix(struct ps_ctx *c, enum ps_rule r, size_t start, const char *replacement)
{
	struct ps_finding *f;

	if (c->a->nfindings == 0)
		return;
	f = &c->a->findings[c->a->nfindings - 1];
	if (f->rule == &ps_rule_table[r] && f->start == start)
		f->fix = arena_strdup(c->p->arena, replacement);
}

void
ps_compat_note_add(struct ps_ctx *c, const char *feature, const char *requires, unsigned line,
    const char *fmt, ...)
{
	struct ps_analysis_priv *p = c->p;
	struct ps_compat_note *n;
	va_list ap;

	/* One note per feature. */
	for (size_t i = 0; i < p->ncompat; i++)
		if (strcasecmp(p->compat[i].feature, feature) == 0)
			return;
	if (p->ncompat >= 200)
		return;
	if (p->ncompat == p->capcompat) {
		p->capcompat = p->capcompat ? p->capcompat * 2 : 8;
		p->compat = xrealloc(p->compat, p->capcompat * sizeof(*p->compat));
	}
	n = &p->compat[p->ncompat++];
	va_start(ap, fmt);
	n->message = format_message(p->ast, fmt, ap);
	va_end(ap);
	n->feature = arena_strdup(p->arena, feature);
	n->requires = requires;
	n->line = line;
}

/* Does the rule id match one of the (glob) patterns? */
static bool
id_matches(const char *id, const char *const *pats, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fnmatch(pats[i], id, FNM_CASEFOLD) == 0)
			return true;
	return false;
}

static int
check_patterns(const char *const *pats, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool any = false;

		for (size_t r = 0; r < R__MAX && !any; r++)
			if (fnmatch(pats[i], ps_rule_table[r].id, FNM_CASEFOLD) == 0)
				any = true;
		if (!any)
			return -1;
	}
	return 0;
}

static int
finding_cmp(const void *x, const void *y)
{
	const struct ps_finding *a = x, *b = y;

	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->column != b->column)
		return a->column < b->column ? -1 : 1;
	if (a->rule != b->rule)
		return a->rule < b->rule ? -1 : 1;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

/* implicit_get: the cmdlet Get-<name> for a bare word that is no command, alias or path
 * (PowerShell tries the Get- prefix last: date runs Get-Date), or NULL. */
static const struct ps_cmdlet_info *
implicit_get(const char *name)
{
	char buf[64];
	size_t n = strlen(name);

	if (n == 0 || n + 4 >= sizeof(buf) || strpbrk(name, "-.\\/:$@{}()[]`'\"") != NULL)
		return NULL;
	memcpy(buf, "Get-", 4);
	memcpy(buf + 4, name, n + 1);
	return ps_catalog_find(buf, n + 4);
}

/* dsc_property: "Type = 'File'" inside a Configuration: a resource property, which the
 * parser reads as a command; it is never resolved as a cmdlet or alias. */
static bool
dsc_property(const struct ps_node *n)
{
	const struct ps_node *e = n->u.cmd.elems.n > 0 ? n->u.cmd.elems.v[0] : NULL;

	return e != NULL && e->kind == PS_NODE_STRING && e->u.str.bare && e->u.str.len == 1 &&
	    e->u.str.value[0] == '=' && n->func != NULL && n->func->kind == PS_NODE_FUNCTION &&
	    n->func->u.fn.keyword == PS_KW_CONFIGURATION;
}

/* Resolve every command against the catalog and the script's own functions. */
static void
resolve_commands(struct ps_ctx *c)
{
	struct ps_ast *ast = c->ast;
	struct ps_analysis_priv *p = c->p;
	size_t fsize = (ast->functions.n + 1) * sizeof(const char *), nf = 0;
	const char **fnames = ast->functions.n > 0 ? ps_scratch_alloc(p, fsize) : NULL;
	uint64_t lens = 0;	/* bit k: a function name of k bytes (bit 63: 63 or more) */

	for (size_t k = 0; k < ast->functions.n; k++)
		if (ast->functions.v[k]->u.fn.name != NULL) {
			size_t len = strlen(fnames[nf++] = ast->functions.v[k]->u.fn.name);

			lens |= (uint64_t)1 << (len < 63 ? len : 63);
		}
	if (nf > 1)
		qsort(fnames, nf, sizeof(*fnames), name_cmp);

	p->ncmds = ast->commands.n;
	p->cmds = ps_ast_alloc(p->ast, (p->ncmds + 1) * sizeof(*p->cmds));
	for (size_t i = 0; i < ast->commands.n; i++) {
		struct ps_cmd *pc = &p->cmds[i];
		struct ps_node *n = ast->commands.v[i];
		size_t len;

		pc->node = n;
		n->u.cmd.index = (uint32_t)i;
		pc->name = n->u.cmd.name;
		pc->canon = pc->name ? pc->name : "";
		if (pc->name == NULL)
			continue;
		/* names equal but for case have the same length: most commands skip the search */
		len = strlen(pc->name);
		if (((lens >> (len < 63 ? len : 63)) & 1) &&
		    bsearch(&pc->name, fnames, nf, sizeof(*fnames), name_cmp) != NULL) {
			pc->local_function = true;
			continue;
		}
		if (dsc_property(n))
			continue;
		pc->ci = ps_catalog_resolve(pc->name, len, &pc->alias);
		if (pc->ci == NULL && n->u.cmd.invocation == 0 &&
		    (pc->ci = implicit_get(pc->name)) != NULL)
			pc->implicit_get = true;
		if (pc->ci != NULL)
			pc->canon = pc->ci->name;
	}
	for (size_t i = 0; i < p->ncmds; i++) {
		struct ps_cmd *pc = &p->cmds[i];
		const char *slash;

		pc->canon_len = strlen(pc->canon);
		if (pc->ci != NULL || pc->name == NULL)
			continue;
		slash = strrchr(pc->name, '\\');
		pc->base = slash != NULL ? slash + 1 : pc->name;
		pc->base_len = strlen(pc->base);
		pc->path = slash != NULL;
	}
	if (fnames != NULL)
		ps_scratch_free(fnames, fsize);
}

/* ascii_lower: dst = src with A-Z lower-cased (other bytes unchanged), eight bytes a step:
 * a byte gets 0x20 when it is below 0x80, at least 'A' and not above 'Z'. */
static void
ascii_lower(char *dst, const char *src, size_t len)
{
	const uint64_t ones = 0x0101010101010101u, high = ones * 0x80;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t x, low7, ge_a, gt_z;

		memcpy(&x, src + i, 8);
		low7 = x & ~high;
		ge_a = low7 + ones * (0x80 - 'A');
		gt_z = low7 + ones * (0x7f - 'Z');
		x |= ((ge_a & ~gt_z & ~x & high) >> 2);
		memcpy(dst + i, &x, 8);
	}
	for (; i < len; i++) {
		unsigned char ch = (unsigned char)src[i];

		dst[i] = (char)(ch | ((unsigned)(ch - 'A') < 26) << 5);
	}
}

/* Comment, blank and code line counts, and the lower-cased, comment-free copy of the
 * source the pattern rules search (line continuations joined, so one logical line). */
static void
prepare_text(struct ps_ctx *c)
{
	struct ps_analysis_priv *p = c->p;
	const struct ps_tokens *t = &c->ast->toks;
	char *low = ps_scratch_alloc(p, c->len + 1);
	unsigned char *kind = ps_scratch_alloc(p, t->nlines + 1);	/* 1 code, 2 comment */

	ascii_lower(low, c->src, c->len);
	low[c->len] = '\0';
	for (size_t i = 0; i < t->n; i++) {
		const struct ps_token *tk = &t->v[i];
		uint32_t el;
		int k;

		if (tk->kind == PS_TOK_NEWLINE)
			continue;
		if (tk->kind == PS_TOK_COMMENT || tk->kind == PS_TOK_BLOCK_COMMENT) {
			for (size_t j = tk->start; j < tk->end && j < c->len; j++)
				if (low[j] != '\n')
					low[j] = ' ';
			k = 2;
		} else if (tk->kind == PS_TOK_LINE_CONTINUATION) {
			/* join the lines; a backtick followed by blanks stays visible for
			 * PSMisleadingBacktick */
			for (size_t j = tk->start; j < tk->end && j < c->len; j++)
				if (!(low[j] == '`' && j + 1 < tk->end && (low[j + 1] == ' ' ||
				    low[j + 1] == '\t')))
					low[j] = ' ';
			k = 1;
		} else {
			k = 1;
		}
		if (tk->flags & PS_TOKF_NESTED)
			continue;
		/* el: the line of the token's last byte, which is end_line unless that byte
		 * ends a line (then end is the next line's start) */
		el = tk->end_line;
		if (tk->end > tk->start && el > tk->line &&
		    t->line_starts[el - 1] == tk->end)
			el--;
		for (uint32_t l = tk->line; l <= el && l <= t->nlines; l++)
			if (kind[l] != 1)
				kind[l] = (unsigned char)k;
	}
	for (size_t l = 1; l <= t->nlines; l++) {
		if (kind[l] == 1)
			p->code_lines++;
		else if (kind[l] == 2)
			p->comment_lines++;
		else
			p->blank_lines++;
	}
	ps_scratch_free(kind, t->nlines + 1);
	p->lower = low;
}

/* Does the pattern list name id exactly (no wildcard)? */
static bool
id_named(const char *id, const char *const *pats, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strchr(pats[i], '*') == NULL && strchr(pats[i], '?') == NULL &&
		    strcasecmp(pats[i], id) == 0)
			return true;
	return false;
}

/* The rules that run: PSScriptAnalyzer's default set (every rule but those off by default),
 * then the settings (Rules.X.Enable, IncludeRules, ExcludeRules), then the caller's include
 * and exclude lists; a rule the caller's include list names exactly runs even when it is off
 * by default. all_enabled says that every rule on by default runs (the text-pattern scan's
 * fast path: no pattern rule is off by default). */
static bool default_enabled[R__MAX];	/* !off_by_default, built once */
static pthread_once_t default_once = PTHREAD_ONCE_INIT;

static void
default_enabled_build(void)
{
	for (size_t r = 0; r < R__MAX; r++)
		default_enabled[r] = !ps_rule_table[r].off_by_default;
}

static void
apply_opts(struct ps_analysis_priv *p, const struct ps_analyze_opts *o)
{
	const struct ps_settings *s = o->settings;
	bool all = true;

	pthread_once(&default_once, default_enabled_build);
	if (s == NULL && o->ninclude == 0 && o->nexclude == 0) {	/* the usual case */
		memcpy(p->enabled, default_enabled, sizeof(p->enabled));
		p->all_enabled = true;
		return;
	}

	for (size_t r = 0; r < R__MAX; r++) {
		const char *id = ps_rule_table[r].id;
		bool on = !ps_rule_table[r].off_by_default;

		if (s != NULL) {
			if (s->enable[r] >= 0)
				on = s->enable[r] != 0;
			if (s->ninclude > 0 && !id_matches(id, s->include, s->ninclude))
				on = false;
			if (s->nexclude > 0 && id_matches(id, s->exclude, s->nexclude))
				on = false;
		}
		if (o->ninclude > 0 && !id_matches(id, o->include_rules, o->ninclude))
			on = false;
		else if (o->ninclude > 0 && id_named(id, o->include_rules, o->ninclude))
			on = true;
		if (o->nexclude > 0 && id_matches(id, o->exclude_rules, o->nexclude))
			on = false;
		p->enabled[r] = on;
		if (!on && !ps_rule_table[r].off_by_default)
			all = false;
	}
	p->all_enabled = all;
}

/* Keep the findings at or above min whose severity is in mask; returns how many. */
static size_t
severity_filter(struct ps_finding *v, size_t n, enum ps_severity min, unsigned mask)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (v[i].severity >= min && (mask & (1u << v[i].severity)))
			v[k++] = v[i];
	return k;
}

/* One allocation for an analysis: the public part first (ps_analysis_free frees it). */
struct analysis_block {
	struct ps_analysis	 a;
	struct ps_analysis_priv	 p;
	struct ps_ast		 ast;
};

static int
analyze(const char *src, size_t len, const struct ps_analyze_opts *opts, unsigned depth,
    size_t *budget, struct ps_analysis **out)
{
	static const struct ps_analyze_opts defaults;
	size_t own_budget = PS_NEST_BUDGET;
	struct analysis_block *blk;
	struct ps_analysis *a;
	struct ps_analysis_priv *p;
	struct ps_ctx c;
	struct arena ar;

	*out = NULL;
	if (opts == NULL)
		opts = &defaults;
	if (len > PS_ANALYZER_MAX_INPUT)
		return PSS_ETOOBIG;
	if (check_patterns(opts->include_rules, opts->ninclude) != 0 ||
	    check_patterns(opts->exclude_rules, opts->nexclude) != 0)
		return PSS_EINVAL;
	/* The block is the first allocation of the analysis arena (no malloc of its own), and
	 * the arena's head then moves into it. Zeroed in two parts: each below the size where
	 * glibc's memset switches to rep stosb. */
	arena_init(&ar);
	blk = (struct analysis_block *)(((uintptr_t)arena_alloc_bytes(&ar, sizeof(*blk) + 15) +
	    15) & ~(uintptr_t)15);
	memset(blk, 0, offsetof(struct analysis_block, ast));
	memset(&blk->ast, 0, sizeof(blk->ast));
	a = &blk->a;
	p = &blk->p;
	a->priv = p;
	blk->ast.arena = ar;
	p->arena = &blk->ast.arena;
	p->src = arena_alloc_bytes(p->arena, len + 1);
	if (len > 0)
		memcpy(p->src, src, len);
	p->src[len] = '\0';
	p->len = len;
	p->opts = opts;
	p->nest_depth = depth;
	p->nest_budget = budget != NULL ? budget : &own_budget;
	apply_opts(p, opts);
	ps_parse_into(&blk->ast, p->src, len);
	p->ast = &blk->ast;
	p->min_version_major = 2;
	a->ntokens = p->ast->toks.n;
	a->nlines = (unsigned)p->ast->toks.nlines;

	memset(&c, 0, sizeof(c));
	c.a = a;
	c.p = p;
	c.ast = p->ast;
	c.src = p->src;
	c.len = len;
	resolve_commands(&c);
	prepare_text(&c);

	if (opts->file_name != NULL && ps_help_file_name(opts->file_name)) {
		ps_rules_help_file_run(&c);	/* help text, not code */
	} else {
		ps_rules_style_run(&c);
		ps_rules_functions_run(&c);
		ps_rules_security_run(&c);
		ps_rules_patterns_run(&c);
		ps_rules_obfuscation_run(&c);
		ps_rules_perf_risk_run(&c);
		ps_rules_attacks_run(&c);
		ps_rules_module_run(&c);
		ps_rules_format_run(&c);
	}
	ps_suppress_apply(&c);
	if (depth == 0)		/* a nested analysis gives its findings and capabilities only */
		ps_score_compute(&c);
	/* The severity filters (the caller's minimum, the settings' list) come after scoring,
	 * so scores do not depend on them. */
	if (opts->min_severity > PS_SEV_INFORMATION ||
	    (opts->settings != NULL && opts->settings->severity_mask != 0)) {
		unsigned mask = opts->settings != NULL && opts->settings->severity_mask != 0 ?
		    opts->settings->severity_mask : ~0u;

		a->nfindings = severity_filter(a->findings, a->nfindings, opts->min_severity, mask);
		a->nsuppressed = severity_filter(a->suppressed, a->nsuppressed, opts->min_severity,
		    mask);
	}

	if (a->nfindings > 1)
		qsort(a->findings, a->nfindings, sizeof(*a->findings), finding_cmp);
	if (a->nsuppressed > 1)
		qsort(a->suppressed, a->nsuppressed, sizeof(*a->suppressed), finding_cmp);
	p->opts = NULL;		/* the caller's; not valid after return */
	p->nest_budget = NULL;	/* may be on the stack */
	ps_scratch_free(p->lower, len + 1);
	p->lower = NULL;
	*out = a;
	return PSS_OK;
}

int
ps_analyze(const char *src, size_t len, const struct ps_analyze_opts *opts,
    struct ps_analysis **out)
{
	return analyze(src, len, opts, 0, NULL, out);
}

int
ps_analyze_nested(const char *src, size_t len, unsigned depth, size_t *budget,
    struct ps_analysis **out)
{
	*out = NULL;
	if (depth > PS_NEST_DEPTH_MAX || len > PS_NEST_TEXT_MAX || len > *budget)
		return PSS_ETOOBIG;
	*budget -= len;
	return analyze(src, len, NULL, depth, budget, out);
}

void
ps_analysis_free(struct ps_analysis *a)
{
	struct ps_ast *ast;
	struct arena ar;

	if (a == NULL)
		return;
	/* the analysis, its private part and the tree are one block (analysis_block) in the
	 * tree's arena, with the source copy and everything else of the analysis; the arena is
	 * freed from a copy of its head, as the original goes with it */
	ast = a->priv->ast;
	free(a->priv->compat);
	free(a->findings);
	free(a->suppressed);
	ps_tokens_free(&ast->toks);
	ar = ast->arena;
	arena_free(&ar);
}
