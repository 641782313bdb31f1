# pssa: PSAlignAssignmentStatement=2
# settings: @{ Rules = @{ PSAlignAssignmentStatement = @{ Enable = $true; CheckHashtable = $true; CheckEnum = $true } } }
$hashtable = @{
    property = 'value'
    anotherProperty = 'another value'
}

enum Enum {
    member = 1
    anotherMember = 2
}
