// The application icons live in the Qt resource system under :/icons; this unit gives the library a body.
namespace chainsight {
int iconResourceAnchor = 0;
}
