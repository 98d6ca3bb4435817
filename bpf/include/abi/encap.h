/* encap: the sender's security identity carried in the VXLAN VNI, and the
 * skb->mark that hands it from the overlay device to the endpoint program. */
#ifndef GW_ENCAP_H
#define GW_ENCAP_H

/* Cilium's layout: the magic in bits 8-11, a 24-bit identity split over
 * bits 16-31 (low 16 bits) and bits 0-7 (high 8 bits). */
enum gw_identity_mark {
	GW_MARK_MAGIC_IDENTITY = 0x0E00,
	GW_VNI_MAX = 0xFFFFFF,
};

#endif
