# pssa: PSAvoidInvokingEmptyMembers=0
$MyString = "abc"
$MyString.("length")
