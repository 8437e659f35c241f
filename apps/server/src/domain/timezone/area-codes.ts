/**
 * NANP area code -> IANA time zones, written for Ringside (US, Canada, US territories and the
 * Caribbean members of the plan). An area code that spans several zones lists every one: the
 * dialer then calls only when all of them are inside the calling window, which is the safe reading
 * of the law when we cannot tell where the person is. Codes not listed here (toll-free 8xx,
 * 500/600/700/900, unassigned) have no zone.
 *
 * Zone names are canonical where the rules differ (America/Indiana/Indianapolis and America/Detroit
 * are kept because PostgreSQL and ICU both know them and they match the postal-code data).
 */

const NY = 'America/New_York';
const DETROIT = 'America/Detroit';
const INDY = 'America/Indiana/Indianapolis';
const CHI = 'America/Chicago';
const DEN = 'America/Denver';
const BOISE = 'America/Boise';
const PHX = 'America/Phoenix';
const LA = 'America/Los_Angeles';
const ANC = 'America/Anchorage';
const ADAK = 'America/Adak';
const HNL = 'Pacific/Honolulu';
const MENOMINEE = 'America/Menominee';
const TOR = 'America/Toronto';
const WPG = 'America/Winnipeg';
const REGINA = 'America/Regina';
const EDM = 'America/Edmonton';
const VAN = 'America/Vancouver';
const DAWSON_CREEK = 'America/Dawson_Creek';
const HFX = 'America/Halifax';
const MONCTON = 'America/Moncton';
const STJ = 'America/St_Johns';
const GOOSE = 'America/Goose_Bay';

/** Area codes wholly inside one zone, as space-separated lists per zone. */
const SINGLE: Record<string, string> = {
  [NY]:
    // CT DE DC
    '203 475 860 959 302 202 771 ' +
    // FL (peninsula; the panhandle codes are split below)
    '239 305 321 324 352 386 407 561 645 656 689 727 728 754 772 786 813 863 904 941 954 ' +
    // GA ME MD MA
    '229 404 470 478 678 706 762 770 912 943 207 227 240 301 410 443 667 ' +
    '339 351 413 508 617 774 781 857 978 ' +
    // NH NJ NY
    '603 201 551 609 640 732 848 856 862 908 973 ' +
    '212 315 329 332 347 363 516 518 585 607 624 631 646 680 716 718 838 845 914 917 929 934 ' +
    // NC OH
    '252 336 472 704 743 828 910 919 980 984 ' +
    '216 220 234 283 326 330 380 419 436 440 513 567 614 740 937 ' +
    // PA RI SC VT VA WV
    '215 223 267 272 412 445 484 570 582 610 717 724 814 835 878 401 ' +
    '803 821 839 843 854 864 802 276 434 540 571 686 703 757 804 826 948 304 681 ' +
    // KY (Louisville, Lexington) TN (Knoxville)
    '502 859 865',
  [DETROIT]: '231 248 269 313 517 586 616 679 734 810 947 989',
  [INDY]: '260 317 463 765',
  [CHI]:
    // AL AR IL IN(NW) IA KS(KC) LA MN MS MO NE(E) OK TN TX WI
    '205 251 256 334 659 938 327 479 501 870 ' +
    '217 224 309 312 331 447 464 618 630 708 730 773 779 815 847 861 872 219 ' +
    '319 515 563 641 712 316 913 225 318 337 457 504 985 218 320 507 612 651 763 924 952 ' +
    '228 601 662 769 235 314 417 557 573 636 660 816 975 402 531 405 539 572 580 918 ' +
    '615 629 731 901 931 ' +
    '210 214 254 281 325 346 361 409 430 469 512 621 682 713 726 737 806 817 830 832 903 ' +
    '936 940 945 956 972 979 ' +
    '262 274 353 414 534 608 715 920',
  [DEN]: '303 719 720 970 983 406 505 575 385 435 801 307 915',
  [PHX]: '480 520 602 623',
  [LA]:
    // CA
    '209 213 279 310 323 341 350 369 408 415 424 442 510 530 559 562 619 626 628 650 657 ' +
    '661 669 707 714 738 747 760 805 818 820 831 840 858 909 916 925 949 951 ' +
    // NV OR WA
    '702 725 775 503 971 206 253 360 425 509 564',
  [HNL]: '808',
  // US territories
  'America/Puerto_Rico': '787 939',
  'America/St_Thomas': '340',
  'Pacific/Guam': '671',
  'Pacific/Saipan': '670',
  'Pacific/Pago_Pago': '684',
  // Canada
  [VAN]: '604',
  [EDM]: '368 403 587 780 825',
  [REGINA]: '306 474 639',
  [WPG]: '204 431 584',
  [TOR]:
    '226 249 289 343 365 382 416 437 519 548 613 647 683 705 742 753 905 942 ' +
    '263 354 438 450 468 514 579 819 873',
  [MONCTON]: '428 506',
  [HFX]: '782 902',
  // Caribbean members of the NANP
  'America/Nassau': '242',
  'America/Barbados': '246',
  'America/Anguilla': '264',
  'America/Antigua': '268',
  'America/Tortola': '284',
  'America/Cayman': '345',
  'Atlantic/Bermuda': '441',
  'America/Grenada': '473',
  'America/Grand_Turk': '649',
  'America/Jamaica': '658 876',
  'America/Montserrat': '664',
  'America/Lower_Princes': '721',
  'America/St_Lucia': '758',
  'America/Dominica': '767',
  'America/St_Vincent': '784',
  'America/Santo_Domingo': '809 829 849',
  'America/Port_of_Spain': '868',
  'America/St_Kitts': '869',
};

/** Area codes that span more than one zone (every zone listed). */
const SPLIT: Record<string, readonly string[]> = {
  // Florida panhandle: west of the Apalachicola River is Central.
  '850': [CHI, NY],
  '448': [CHI, NY],
  // Michigan's Upper Peninsula: the counties on the Wisconsin border are Central.
  '906': [DETROIT, MENOMINEE],
  // Southern and northern Indiana: Evansville and Starke County areas are Central.
  '812': [CHI, INDY],
  '930': [CHI, INDY],
  '574': [CHI, INDY],
  // Kentucky: the west is Central, the rest Eastern.
  '270': [CHI, NY],
  '364': [CHI, NY],
  '606': [CHI, NY],
  // East Tennessee includes a few Central counties.
  '423': [CHI, NY],
  // Great Plains: the western counties are Mountain.
  '308': [CHI, DEN],
  '605': [CHI, DEN],
  '620': [CHI, DEN],
  '701': [CHI, DEN],
  '785': [CHI, DEN],
  '432': [CHI, DEN],
  // Idaho: the panhandle is Pacific; Oregon: Malheur County is Mountain.
  '208': [BOISE, LA],
  '986': [BOISE, LA],
  '458': [BOISE, LA],
  '541': [BOISE, LA],
  // Arizona keeps standard time, the Navajo Nation observes daylight saving time.
  '928': [DEN, PHX],
  // Alaska: the western Aleutians are on Hawaii-Aleutian time.
  '907': [ADAK, ANC],
  // British Columbia outside the Lower Mainland: the north-east and the Kootenays are Mountain.
  '236': [DAWSON_CREEK, EDM, VAN],
  '250': [DAWSON_CREEK, EDM, VAN],
  '257': [DAWSON_CREEK, EDM, VAN],
  '672': [DAWSON_CREEK, EDM, VAN],
  '778': [DAWSON_CREEK, EDM, VAN],
  // North-western Ontario is Central.
  '807': [TOR, WPG],
  // Eastern Quebec: the Magdalen Islands and the Lower North Shore are Atlantic.
  '367': [HFX, TOR],
  '418': [HFX, TOR],
  '581': [HFX, TOR],
  // Newfoundland and Labrador.
  '709': [GOOSE, STJ],
  '879': [GOOSE, STJ],
  // Yukon, Northwest Territories and Nunavut.
  '867': [EDM, 'America/Iqaluit', 'America/Rankin_Inlet', 'America/Whitehorse'],
};

function build(): ReadonlyMap<string, readonly string[]> {
  const map = new Map<string, readonly string[]>();
  for (const [zone, codes] of Object.entries(SINGLE)) {
    for (const code of codes.split(/\s+/).filter(Boolean)) {
      if (map.has(code)) throw new Error(`area code ${code} listed twice`);
      map.set(code, [zone]);
    }
  }
  for (const [code, zones] of Object.entries(SPLIT)) {
    if (map.has(code)) throw new Error(`area code ${code} listed twice`);
    map.set(code, [...zones].sort());
  }
  return map;
}

/** Area code (3 digits) -> its zones, sorted. Built once at module load. */
export const AREA_CODE_ZONES: ReadonlyMap<string, readonly string[]> = build();
