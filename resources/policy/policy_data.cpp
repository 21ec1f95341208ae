// The policy schema and starter library live in the Qt resource system under :/policy; this unit
// gives the library a body.
namespace chainsight {
int policyDataResourceAnchor = 0;
}
