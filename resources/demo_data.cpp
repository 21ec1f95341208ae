// The demo inputs live in the Qt resource system under :/demo; this unit gives the library a body.
namespace chainsight {
int demoDataResourceAnchor = 0;
}
