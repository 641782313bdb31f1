# pssa: PSAvoidInvokingEmptyMembers=1
$MyString = "abc"
$MyString.("len"+"gth")
