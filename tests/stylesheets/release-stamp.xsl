<?xml version="1.0" encoding="utf-8"?>
<!--
  release-stamp.xsl - stamps a web.config with its release: a comment in front of
  <configuration> and three appSettings keys (Release:Version, Release:Built,
  Release:SupportEnds), replacing an older stamp (running it twice gives the same file).

  Dates come from parameters, so a rebuild of the same release gives the same file:
    build-date     when the release was built        (default 2025-08-31T22:15:00+02:00)
    version        the release number                (default 2025.08.3)
    support        how long it is supported          (default P6M, an xs:duration)
    review-every   how often it is reviewed          (default P1M10D)
  Only the "stamped" line uses the clock (date:date-time()); the test harness pins it with
  SOURCE_DATE_EPOCH, which libexslt honours.

  The build date is written out long-hand (day name, day, month name, year, week, day of the
  year) with date:format-date when the processor has it (function-available) and from the
  separate date:* functions otherwise, which is what libexslt needs.

  EXSLT: date:add, date:add-duration, date:difference, date:duration, date:seconds, date:sum,
  date:date, date:time, date:date-time, date:year, date:month-name, date:month-abbreviation,
  date:day-in-month, date:day-name, date:day-abbreviation, date:week-in-year, date:day-in-year,
  date:leap-year, date:hour-in-day, date:minute-in-hour, exsl:node-set.
  Inputs: any web.config.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:date="http://exslt.org/dates-and-times"
    xmlns:exsl="http://exslt.org/common"
    exclude-result-prefixes="date exsl">

  <xsl:output method="xml" encoding="utf-8"/>

  <xsl:param name="build-date" select="'2025-08-31T22:15:00+02:00'"/>
  <xsl:param name="version" select="'2025.08.3'"/>
  <xsl:param name="support" select="'P6M'"/>
  <xsl:param name="review-every" select="'P1M10D'"/>

  <xsl:variable name="support-ends" select="date:add($build-date, $support)"/>
  <xsl:variable name="first-review" select="date:add($build-date, $review-every)"/>
  <xsl:variable name="second-review" select="date:add($build-date, date:add-duration($review-every, $review-every))"/>
  <xsl:variable name="support-length" select="date:difference($build-date, $support-ends)"/>

  <xsl:variable name="keys-rtf">
    <key name="Release:Version" value="{$version}"/>
    <key name="Release:Built" value="{$build-date}"/>
    <key name="Release:SupportEnds" value="{date:date($support-ends)}"/>
  </xsl:variable>
  <xsl:variable name="keys" select="exsl:node-set($keys-rtf)/key"/>

  <xsl:template name="long-date">
    <xsl:param name="d"/>
    <xsl:choose>
      <xsl:when test="function-available('date:format-date')">
        <xsl:value-of select="date:format-date($d, 'EEEE d MMMM yyyy')"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="concat(date:day-name($d), ' ', date:day-in-month($d), ' ',
                                     date:month-name($d), ' ', date:year($d))"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="/">
    <xsl:apply-templates select="node()[not(self::*)][not(preceding-sibling::*)]"/>
    <xsl:comment>
      <xsl:text>&#10;  Release </xsl:text>
      <xsl:value-of select="$version"/>
      <xsl:text>, built </xsl:text>
      <xsl:call-template name="long-date">
        <xsl:with-param name="d" select="$build-date"/>
      </xsl:call-template>
      <xsl:value-of select="concat(' at ', date:hour-in-day($build-date), ':',
                                   format-number(date:minute-in-hour($build-date), '00'),
                                   ' (', substring(date:time($build-date), 9), ')')"/>
      <xsl:value-of select="concat(', week ', date:week-in-year($build-date),
                                   ', day ', date:day-in-year($build-date), ' of ', date:year($build-date))"/>
      <xsl:if test="date:leap-year($build-date)"> (a leap year)</xsl:if>
      <xsl:text>&#10;  supported for </xsl:text>
      <xsl:value-of select="concat($support, ' = ', $support-length, ', until ')"/>
      <xsl:call-template name="long-date">
        <xsl:with-param name="d" select="$support-ends"/>
      </xsl:call-template>
      <xsl:value-of select="concat(' (', date:day-abbreviation($support-ends), ' ',
                                   date:month-abbreviation($support-ends), ' ', date:day-in-month($support-ends), ')')"/>
      <xsl:value-of select="concat('&#10;  reviews every ', $review-every, ': ', date:date($first-review),
                                   ', ', date:date($second-review))"/>
      <xsl:variable name="gaps-rtf">
        <gap><xsl:value-of select="date:difference($build-date, $first-review)"/></gap>
        <gap><xsl:value-of select="date:difference($first-review, $second-review)"/></gap>
        <gap><xsl:value-of select="date:difference($second-review, $support-ends)"/></gap>
      </xsl:variable>
      <xsl:value-of select="concat('&#10;  review gaps add up to ', date:sum(exsl:node-set($gaps-rtf)/gap),
                                   ' (', date:seconds($support-length) div 86400, ' days)')"/>
      <xsl:variable name="now" select="date:date-time()"/>
      <xsl:variable name="age" select="date:difference($build-date, $now)"/>
      <xsl:value-of select="concat('&#10;  stamped ', $now, ', ', $age, ' (', date:duration(round(date:seconds($age) div 3600) * 3600),
                                   ' rounded to the hour) after the build&#10;')"/>
    </xsl:comment>
    <xsl:apply-templates select="*"/>
    <xsl:apply-templates select="*/following-sibling::node()"/>
  </xsl:template>

  <xsl:template match="@* | node()">
    <xsl:copy>
      <xsl:apply-templates select="@* | node()"/>
    </xsl:copy>
  </xsl:template>

  <!-- an older stamp goes: the comment, the keys and their indentation -->
  <xsl:template match="/comment()[starts-with(., '&#10;  Release ')]"/>
  <xsl:template match="*[local-name() = 'appSettings']/*[local-name() = 'add'][starts-with(@key, 'Release:')]"/>
  <xsl:template match="*[local-name() = 'appSettings']/text()[following-sibling::*[1][starts-with(@key, 'Release:')]]"/>

  <xsl:template match="/*/*[local-name() = 'appSettings']">
    <xsl:variable name="indent" select="text()[1]"/>
    <xsl:copy>
      <xsl:apply-templates select="@*"/>
      <xsl:apply-templates select="node()[following-sibling::*[not(starts-with(@key, 'Release:'))]
                                          or self::*[not(starts-with(@key, 'Release:'))]]"/>
      <xsl:for-each select="$keys">
        <xsl:value-of select="$indent"/>
        <xsl:element name="add" namespace="{namespace-uri(current())}">
          <xsl:attribute name="key"><xsl:value-of select="@name"/></xsl:attribute>
          <xsl:attribute name="value"><xsl:value-of select="@value"/></xsl:attribute>
        </xsl:element>
      </xsl:for-each>
      <xsl:apply-templates select="text()[last()]"/>
    </xsl:copy>
  </xsl:template>

</xsl:stylesheet>
